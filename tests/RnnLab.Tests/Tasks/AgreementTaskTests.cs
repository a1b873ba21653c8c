using RnnLab.Numerics;
using RnnLab.Tasks;

namespace RnnLab.Tests.Tasks;

public class AgreementTaskTests
{
    const string Lesson = "The cat that sat on the mat by the window in the old kitchen was hungry.";

    [Fact]
    public void The_lesson_sentence_is_in_the_grammar()
    {
        var s = AgreementGrammar.Parse(Lesson);
        Assert.Equal("cat", s.Subject);
        Assert.Equal("was", s.Verb);
        Assert.Equal(GrammaticalNumber.Singular, s.Number);
        Assert.Equal(13, s.Distance);
        Assert.Empty(s.AttractorIndices);
        Assert.Equal(Lesson, s.Render());
    }

    /// <summary>
    /// Replays the lesson's derivation through the generator itself: structural choices from a script, words from
    /// the sentence. Every pick must be among the options the generator offers, so this proves it can produce it.
    /// </summary>
    [Fact]
    public void The_generator_produces_the_lesson_sentence()
    {
        var replay = new Replay(AgreementGrammar.Parse(Lesson).Words,
        [
            GrammaticalNumber.Singular,
            DistractorKind.RelativeWithPlace, 0, false,  // that sat on the mat
            DistractorKind.Prepositional, 0, false,      // by the window
            DistractorKind.Prepositional, 1, false,      // in the old kitchen
        ]);
        var s = AgreementGrammar.Generate(13, 0.5, replay);
        Assert.Equal(Lesson, s.Render());
        Assert.True(replay.Done, "the replay left choices unused");

        var task = new AgreementTask(13);
        var batch = new SequenceBatch(task.TargetKind, task.Steps, 1, task.InputSize, task.OutputSize);
        task.Encode(s, batch, 0);
        Assert.Equal(14, task.Steps);   // "The" .. "kitchen"; the prediction is the next word
        Assert.Equal("kitchen", AgreementVocabulary.Words[batch.Input(13, 0).IndexOf(1f)]);
        Assert.Equal(0, batch.Labels[0]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(13)]
    [InlineData(40)]
    public void Distance_is_exact_and_every_sentence_parses_back_to_its_label(int distance)
    {
        foreach (double rate in new[] { 0.0, 0.5, 1.0 })
        {
            var choices = new RandomChoices(new SeededRandom((ulong)(distance * 10 + rate * 2)));
            for (int i = 0; i < 300; i++)
            {
                var s = AgreementGrammar.Generate(distance, rate, choices);
                Assert.Equal(distance, s.Distance);
                var parsed = AgreementGrammar.Parse(s.Render());  // independent reading of the words
                Assert.Equal(s.Words, parsed.Words);
                Assert.Equal(s.Number, parsed.Number);
                Assert.Equal(AgreementVocabulary.Verb(s.Number), s.Verb);
                Assert.Equal(s.AttractorIndices, parsed.AttractorIndices);
                var distractorNouns = Enumerable.Range(s.SubjectIndex + 1, s.Distance - 1).Where(k => AgreementVocabulary.NumberOf(s.Words[k]) is not null).ToList();
                if (rate == 0) Assert.Empty(s.AttractorIndices);
                if (rate == 1) Assert.Equal(distractorNouns, s.AttractorIndices);
            }
        }
    }

    [Fact]
    public void Labels_equal_the_subject_number_and_attractors_never_change_them()
    {
        var task = new AgreementTask(20, attractorRate: 1.0);
        var sentences = new List<AgreementSentence>();
        var batch = task.Generate(2000, new SeededRandom(11), sentences);
        int withAttractor = 0;
        for (int b = 0; b < batch.Size; b++)
        {
            var s = sentences[b];
            var words = Enumerable.Range(0, task.Steps).Select(t => AgreementVocabulary.Words[batch.Input(t, b).IndexOf(1f)]).ToArray();
            Assert.Equal(s.Words[..task.Steps], words);
            Assert.DoesNotContain(AgreementVocabulary.SingularVerb, words); // the answer is never shown
            Assert.DoesNotContain(AgreementVocabulary.PluralVerb, words);
            Assert.Equal((int)AgreementVocabulary.NumberOf(words[1])!, batch.Labels[b]);
            if (s.AttractorIndices.Length > 0) withAttractor++;
            Assert.All(s.AttractorIndices, k => Assert.NotEqual((GrammaticalNumber)batch.Labels[b], AgreementVocabulary.NumberOf(s.Words[k])));
        }
        Assert.Equal(batch.Size, withAttractor);
    }

    [Fact]
    public void Guessing_scores_the_stated_chance_level()
    {
        var task = new AgreementTask(8);
        var batch = task.Generate(20_000, new SeededRandom(12));
        var score = task.Score(batch, new float[batch.Size * 2]);   // equal logits: p = 1/2 for both
        Assert.Equal(Math.Log(2), score.Loss, 12);
        Assert.InRange(score.Metric, 0.5 - 0.015, 0.5 + 0.015);       // always "singular": the share of singulars
        Assert.Equal(0.5, task.ChanceMetric);
    }

    [Fact]
    public void The_vocabulary_has_at_least_60_distinct_words()
    {
        Assert.True(AgreementVocabulary.Count >= 60, $"{AgreementVocabulary.Count} words");
        Assert.Equal(AgreementVocabulary.Count, AgreementVocabulary.Words.Distinct().Count());
        Assert.Equal(AgreementVocabulary.Count, new AgreementTask(3).InputSize);
    }

    [Theory]
    [InlineData("The cat that sat on the mat were hungry.", "verb 'were' does not agree with the singular subject 'cat'")]
    [InlineData("The cats by the window was hungry.", "verb 'was' does not agree with the plural subject 'cats'")]
    [InlineData("The cat by the dog was hungry.", "expected a noun at word 5, found 'dog'")]
    [InlineData("The cat was hungry", "sentence must end with a period")]
    [InlineData("The cat by the old red big window was hungry.", "expected a noun (at most 2 adjectives) at word 7, found 'big'")]
    public void Parse_names_what_is_wrong(string sentence, string expected)
        => Assert.StartsWith(expected, Assert.Throws<FormatException>(() => AgreementGrammar.Parse(sentence)).Message);

    [Fact]
    public void Bad_parameters_are_rejected_with_a_clear_message()
    {
        Assert.StartsWith("agreement distance (steps from subject to verb) must be at least 1, got -3",
            Assert.Throws<ArgumentOutOfRangeException>(() => new AgreementTask(-3)).Message);
        Assert.StartsWith("agreement distance (steps from subject to verb) must be at least 1, got 0",
            Assert.Throws<ArgumentOutOfRangeException>(() => new AgreementTask(0)).Message);
        Assert.StartsWith("attractor rate must be a probability in [0, 1], got 1.5",
            Assert.Throws<ArgumentOutOfRangeException>(() => new AgreementTask(5, 1.5)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new AgreementTask(5, double.NaN));
        var task = new AgreementTask(5);
        var batch = task.Generate(1, new SeededRandom(1));
        var e = Assert.Throws<ArgumentException>(() => task.Encode(AgreementGrammar.Parse(Lesson), batch, 0));
        Assert.StartsWith("sentence has its verb at word 15, this task needs 7 (distance 5)", e.Message);
    }

    /// <summary>
    /// Words come from the target sentence in order, skipping the ones the grammar fixes rather than chooses
    /// ("that", the verb, the period); every other choice comes from a script.
    /// </summary>
    sealed class Replay(string[] words, object[] script) : IChoices
    {
        static readonly string[] Fixed = [AgreementVocabulary.RelativePronoun, AgreementVocabulary.SingularVerb, AgreementVocabulary.PluralVerb, AgreementVocabulary.Period];
        int _word, _step;
        public bool Done => _step == script.Length;

        public T Pick<T>(IReadOnlyList<T> options)
        {
            if (typeof(T) == typeof(string)) while (Fixed.Contains(words[_word])) _word++;
            object wanted = typeof(T) == typeof(string) ? words[_word++] : script[_step++];
            int i = options.ToList().FindIndex(o => Equals(o, wanted));
            Assert.True(i >= 0, $"the generator does not offer '{wanted}' here (options: {string.Join(", ", options)})");
            return options[i];
        }

        public bool Flip(double probability)
        {
            bool wanted = (bool)script[_step++];
            Assert.True(wanted ? probability > 0 : probability < 1, $"a flip of probability {probability} cannot come out {wanted}");
            return wanted;
        }
    }
}
