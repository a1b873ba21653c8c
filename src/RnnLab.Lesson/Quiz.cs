namespace RnnLab.Lesson;

/// <summary>A quiz question: the options, the index of the right one, and an explanation pointing to the section that shows it.</summary>
public sealed record QuizQuestion(string Id, string Text, string[] Options, int Answer, string Explanation, string Section, string SectionTitle);

/// <summary>The lesson's quiz, in the order of the page's sections.</summary>
public static class Quiz
{
    /// <summary>Steps from the lesson's verb back to its subject, as the agreement grammar parses the lesson's sentence.</summary>
    static readonly int LessonDistance = Tasks.AgreementGrammar.Parse(TokenDistance.LessonSentence).Distance;
    static readonly string LessonSignal = Math.Pow(0.8, LessonDistance).ToString("0.000", System.Globalization.CultureInfo.InvariantCulture);

    public static readonly QuizQuestion[] Questions =
    [
        new("product",
            "In a vanilla RNN processing a sequence of length 100, the gradient of the loss at step 100 with respect to the hidden state at step 1 involves…",
            ["a single Jacobian, ∂h₁₀₀/∂h₉₉", "a sum of 99 Jacobians", "a product of 99 Jacobians", "a product of 100 copies of W_hh with no non-linearity"],
            2,
            "∂h₁₀₀/∂h₁ = J₁₀₀·J₉₉⋯J₂: one step Jacobian for each of the 99 steps between them, multiplied together. That product is what shrinks or grows exponentially; the Jacobian lab measures it step by step.",
            "jacobian", "3. Jacobian lab"),
        new("powers",
            "A 2×2 matrix A has eigenvalues 0.7 and 1.2. What does A¹⁰ do to a vector with a component along each eigenvector?",
            ["both components shrink, because 0.7 < 1", "the 1.2-direction grows about six-fold and the 0.7-direction shrinks to under 3% of its size", "both components grow, because 1.2 > 1", "nothing: eigenvalues only matter for symmetric matrices"],
            1,
            "A^k v = λ^k v for an eigenvector v, so each direction is scaled by its own eigenvalue to the k-th power: 1.2¹⁰ ≈ 6.2 and 0.7¹⁰ ≈ 0.028. The largest |λ| (the spectral radius) wins as k grows.",
            "refresher", "1. Refresher"),
        new("decay",
            $"With an effective spectral radius ρ = 0.8, roughly what fraction of the gradient signal survives the {LessonDistance} steps from the verb “was” back to the subject “cat”?",
            ["about 80%", "about 50%", "about 5%", "exactly 0"],
            2,
            $"The signal scales like ρ^{LessonDistance} = 0.8^{LessonDistance} ≈ {LessonSignal}, about a twentieth of a one-step dependency's. The decay section draws ρ^(T−1); the sentence section counts the {LessonDistance} steps from “was” back to “cat” (“hungry”, one word later, is {LessonDistance + 1} tokens from “cat”).",
            "sentence", "5. The long-range sentence"),
        new("depth",
            "Why is vanishing worse in RNNs than in feedforward networks?",
            ["RNNs use tanh while feedforward nets never do", "the gradient must cross one Jacobian per time step, and sequences can be thousands of steps long with no skip path", "RNNs have more parameters", "backpropagation through time is an approximation"],
            1,
            "A feedforward net's gradient crosses at most its number of layers (tens, often skipped by residual connections); an RNN's crosses one step per token, and T can be 1,000 or 10,000. The depth section compares the two.",
            "depth", "4. Feedforward vs recurrent depth"),
        new("explode",
            "You train a tanh RNN whose W_hh has spectral radius well above 1, with a large learning rate and no clipping. What typically happens?",
            ["the loss decreases faster than usual", "gradient norms blow up and the loss becomes NaN within a few dozen steps", "the gradients vanish instead", "nothing changes: Adam compensates"],
            1,
            "With ρ > 1 the Jacobian product can grow exponentially; huge updates throw the weights into overflow and the loss turns NaN. Clipping the gradient norm keeps each update bounded, which prevents the NaN but does not by itself make training succeed. The exploding section trains at a learning rate where ρ < 1 stays finite and marks the NaN step for ρ > 1.",
            "exploding", "6. Exploding gradients"),
        new("optimizer",
            "Can a better optimizer (momentum, Adam, a tuned learning rate) fix vanishing gradients?",
            ["yes, Adam rescales every gradient to unit size", "yes, a larger learning rate amplifies small gradients", "no: gradients already numerically zero carry no direction to rescale; the architecture must change", "no, because optimizers only work for feedforward nets"],
            2,
            "The decay happens inside the backward pass, before any optimizer sees the gradient. The remedy is an architecture with a path that is not a long product of small Jacobians: the LSTM's cell state.",
            "lstm", "7. The LSTM's way out"),
        new("lstm",
            "What lets an LSTM carry gradient over long spans?",
            ["a larger hidden size", "its additive cell-state update c_t = f_t⊙c_{t−1} + i_t⊙g_t, whose step Jacobian is just the forget gate", "it uses ReLU instead of tanh", "it skips backpropagation through time"],
            1,
            "Along the cell path ∂c_t/∂c_{t−1} = diag(f_t): no W_hh and no tanh' factor, so with forget gates near 1 the product barely shrinks. The LSTM section plots ‖∂c_T/∂c_{T−k}‖ beside the tanh RNN's ‖∂h_T/∂h_{T−k}‖.",
            "lstm", "7. The LSTM's way out"),
        new("tanh",
            "Where does tanh'(z) = 1 − tanh²(z) reach its largest value?",
            ["at z = 0, where it equals 1", "for large |z|, where it approaches 1", "it is always exactly 1", "at z = 1, where it equals 1 − tanh²(1) ≈ 0.42"],
            0,
            "tanh' is 1 only at z = 0 and strictly less for any other pre-activation, so every step's diag(tanh'(z_t)) can only shrink the gradient. The Jacobian lab's effective ρ includes this factor.",
            "jacobian", "3. Jacobian lab"),
    ];
}
