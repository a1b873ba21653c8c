using System.CommandLine;
using RnnLab.Lesson;
using Spectre.Console;

namespace RnnLab.Cli.Commands;

/// <summary>`rnnlab distance`: how many recurrent steps separate a subject from its verb.</summary>
public static class DistanceCommand
{
    public static Command Create()
    {
        var sentence = new Argument<string>("sentence") { Description = "The sentence (default: the lesson's).", DefaultValueFactory = _ => TokenDistance.LessonSentence };
        var subject = new Option<string?>("--subject") { Description = "The subject word (default: the noun after the first determiner)." };
        var verb = new Option<string?>("--verb") { Description = "The verb that agrees with it (default: the first finite verb after the subject's clause)." };
        var json = CommonOptions.Json();
        var command = new Command("distance", "Count the steps between a subject and its verb, one token per step; on the lesson's sentence by default.")
        {
            sentence, subject, verb, json,
        };
        command.SetAction(parse =>
        {
            string text = parse.GetValue(sentence)!;
            if (string.IsNullOrWhiteSpace(text)) throw new UsageException("the sentence is empty");
            var r = TokenDistance.Measure(text, parse.GetValue(subject), parse.GetValue(verb));
            bool lesson = text == TokenDistance.LessonSentence;
            if (parse.GetValue(json))
            {
                JsonEnvelope.Write(parse, new { result = r, r.Subject, r.Verb, r.Predicate, lesson_says = lesson ? new { tokens_ago = 12, steps = 13 } : null },
                    new Dictionary<string, object?> { ["subject"] = r.Subject, ["verb"] = r.Verb });
                return 0;
            }
            var words = r.Tokens.Select((t, i) => i == r.SubjectIndex || i == r.VerbIndex ? $"[bold yellow]{Markup.Escape(t)}[/]" : Markup.Escape(t));
            AnsiConsole.MarkupLine(string.Join(" ", words));
            var table = new Table().AddColumns("", "steps");
            table.AddRow($"{Markup.Escape(r.Subject)} → {Markup.Escape(r.Verb)} (Jacobian factors in ∂h_verb/∂h_subject)", $"{r.SubjectToVerb}");
            table.AddRow($"tokens strictly between {Markup.Escape(r.Subject)} and {Markup.Escape(r.Verb)}", $"{r.BetweenSubjectAndVerb}");
            if (r.Predicate is string p) table.AddRow($"{Markup.Escape(r.Subject)} → {Markup.Escape(p)}", $"{r.SubjectToPredicate}");
            AnsiConsole.Write(table);
            if (lesson)
                AnsiConsole.MarkupLine("The lesson says \"12 tokens ago\" (the tokens strictly between cat and was) and \"13 steps\" " +
                    "(the words it lists from was back to that: 13 Jacobians from cat to was, where a next-word model predicts hungry).");
            return 0;
        });
        return command;
    }
}
