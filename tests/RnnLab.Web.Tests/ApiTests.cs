using System.Net;
using System.Text;
using System.Text.Json;
using RnnLab.Analysis;
using RnnLab.Models;
using RnnLab.Tests;

namespace RnnLab.Web.Tests;

/// <summary>Server-side validation, errors, headers and the page's assets, over plain HTTP.</summary>
[Collection(BrowserCollection.Name)]
public class ApiTests(LessonFixture lesson)
{
    static readonly HttpClient Http = new();

    static async Task<JsonElement> ErrorBody(HttpResponseMessage r)
    {
        Assert.StartsWith("application/json", r.Content.Headers.ContentType?.ToString());
        using var body = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
        var root = body.RootElement.Clone();
        Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("error").GetString()));
        return root;
    }

    [Theory]
    [InlineData("/api/refresher?a11=abc", "a11")]
    [InlineData("/api/refresher?k=100000", "k")]
    [InlineData("/api/refresher?a22=NaN", "a22")]
    [InlineData("/api/train/check?hidden=100000", "hidden")]
    [InlineData("/api/train/check?steps=0", "steps")]
    [InlineData("/api/train/check?cell=transformer", "cell")]
    [InlineData("/api/train/check?task=exploding&distance=1", "distance")]
    [InlineData("/api/train/stream?task=exploding&distance=1", "distance")]
    [InlineData("/api/train/stream?lr=-1", "lr")]
    [InlineData("/api/sentence?distance=9999", "distance")]
    [InlineData("/api/decay?rho=0.7&rho=0.9", "rho")]
    [InlineData("/api/train/check?distance=30&distance=13", "distance")]
    [InlineData("/api/train/check?layers=9", "layers")]
    [InlineData("/api/train/check?bidirectional=maybe", "bidirectional")]
    public async Task Invalid_values_get_400_with_a_message_naming_the_field(string path, string field)
    {
        var r = await Http.GetAsync(lesson.Url + path);
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Equal(field, (await ErrorBody(r)).GetProperty("field").GetString());
    }

    [Fact]
    public async Task Every_control_of_every_training_section_passes_the_librarys_own_checks_at_its_extremes()
    {
        // What the check accepts the stream trains: at each cap, the library's validation agrees with the page's ranges.
        foreach (var section in LessonTraining.Sections)
            foreach (var c in section.Numbers)
                foreach (double v in new[] { c.Min, c.Max })
                {
                    var r = await Http.GetAsync($"{lesson.Url}/api/train/check?task={section.Task}&{c.Name}={v.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
                    Assert.True(r.StatusCode == HttpStatusCode.OK, $"{section.Task}.{c.Name}={v}: {await r.Content.ReadAsStringAsync()}");
                }
    }

    [Fact]
    public async Task The_remedies_check_states_the_learning_rate_each_remedy_trains_with()
    {
        foreach (string cell in LessonTraining.RemedyCells)
        {
            var r = await Http.GetAsync($"{lesson.Url}/api/train/check?task=remedies&cell={cell}&lr=0.03");
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            using var body = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
            var rates = body.RootElement.GetProperty("rates");
            var config = LessonTraining.Config(new TrainRequest("remedies", cell, 16, 150, 0.03, 8, null, null, 32, 1));
            Assert.Equal(config.Lr, rates.GetProperty("learningRate").GetDouble());
            Assert.Equal(config.Optimizer, rates.GetProperty("optimizer").GetString());
            var skew = rates.GetProperty("skewLearningRate");
            if (cell == "exprnn") Assert.Equal(config.Lr / 10, skew.GetDouble(), 15);
            else Assert.Equal(JsonValueKind.Null, skew.ValueKind);
            string expected = cell switch { "irnn" => "adam lr 0.003,", "exprnn" => "rmsprop lr 0.01, A at 0.001,", _ => "adam lr 0.03," };
            Assert.Contains(expected, body.RootElement.GetProperty("description").GetString());
        }
    }

    [Fact]
    public async Task Agreement_trains_a_stack_in_both_directions_when_asked()
    {
        var r = await Http.GetAsync($"{lesson.Url}/api/train/check?task=agreement&cell=lstm&layers=2&bidirectional=true");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        using var body = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
        Assert.Contains("2 layers, bidirectional", body.RootElement.GetProperty("description").GetString());
        var config = LessonTraining.Config(new TrainRequest("agreement", "lstm", 8, 5, 0.01, 4, null, null, 4, 1, Layers: 2, Bidirectional: true));
        Assert.Equal((2, true), (config.Layers, config.Bidirectional));
    }

    [Theory]
    [InlineData("/api/limits")]
    [InlineData("/api/refresher")]
    [InlineData("/api/decay")]
    [InlineData("/api/jacobian")]
    [InlineData("/api/jacobian?cell=lstm")]
    [InlineData("/api/depth")]
    [InlineData("/api/sentence")]
    [InlineData("/api/lstm")]
    [InlineData("/api/quiz")]
    [InlineData("/api/train/check?task=exploding")]
    public async Task No_answer_holds_a_NaN_or_Infinity(string path)
    {
        FiniteJsonCheck.AssertFinite(await Http.GetStringAsync(lesson.Url + path));
    }

    [Fact]
    public async Task An_exact_zero_is_null_with_its_index_listed_beside_it()
    {
        // The zero matrix: ‖A^k‖ = 0 from k = 1 on, so log10 is −∞ there; the answer lists those k in log10NormZeroAt.
        string body = await Http.GetStringAsync(lesson.Url + "/api/refresher?a11=0&a12=0&a21=0&a22=0&k=6");
        FiniteJsonCheck.AssertFinite(body);
        using var doc = JsonDocument.Parse(body);
        var root = doc.RootElement;
        Assert.Equal([0.0], root.GetProperty("log10Norm").EnumerateArray().Take(1).Select(v => v.GetDouble()));
        Assert.All(root.GetProperty("log10Norm").EnumerateArray().Skip(1), v => Assert.Equal(JsonValueKind.Null, v.ValueKind));
        Assert.Equal([1, 2, 3, 4, 5, 6], root.GetProperty("log10NormZeroAt").EnumerateArray().Select(v => v.GetInt32()));
    }

    [Fact]
    public async Task The_lstm_sections_refused_hidden_path_is_null_with_the_librarys_note()
    {
        // One saturating unit (forget bias 5, H = 1): its ‖∂h_T/∂h_{T−k}‖ falls below the rounding floor of the whole product.
        using var doc = JsonDocument.Parse(await Http.GetStringAsync(lesson.Url + "/api/lstm?forgetBias=5&hidden=1&steps=200&seed=3"));
        var root = doc.RootElement;
        var layer = LabModels.Layer(CellKind.Lstm, 1, "pytorch", null, 3);
        layer.BiasIH.Value.AsSpan(1, 1).Fill(5);
        layer.BiasHH.Value.AsSpan(1, 1).Clear();
        var flow = FlowProfile.Compute(layer, LabModels.Sequence(200, 3), 200);
        Assert.Contains("rounding", flow.Log10SpectralNormNote);
        Assert.Equal(flow.Log10SpectralNormNote, root.GetProperty("log10LstmHiddenNote").GetString());
        var sent = root.GetProperty("log10LstmHidden").EnumerateArray().ToArray();
        Assert.Equal(flow.Log10SpectralNorm.Select(double.IsNaN), sent.Select(v => v.ValueKind == JsonValueKind.Null));
    }

    [Fact]
    public async Task A_diverging_training_stream_writes_null_for_its_NaN()
    {
        var d = LessonTraining.Exploding;
        string query = $"task=exploding&cell=rnn&clipping=false&rho={d.Number("rho").Default}&lr={d.Number("lr").Default}&steps={d.Number("steps").Default}";
        string stream = await Http.GetStringAsync(lesson.Url + "/api/train/stream?" + query);
        Assert.Contains("event: done", stream);
        string done = stream.Split("event: done\ndata: ")[1].Split('\n')[0];
        using var outcome = JsonDocument.Parse(done);
        Assert.True(outcome.RootElement.GetProperty("nanStep").GetInt32() > 0, done);
        foreach (string data in stream.Split('\n').Where(l => l.StartsWith("data: ", StringComparison.Ordinal))) FiniteJsonCheck.AssertFinite(data["data: ".Length..]);
        // the diverged step's NaN or infinite loss or gradient arrives as null
        var nulls = stream.Split('\n').Where(l => l.StartsWith("data: {\"step\"", StringComparison.Ordinal) || l.StartsWith("data: {\"steps\"", StringComparison.Ordinal))
            .Select(l => JsonDocument.Parse(l["data: ".Length..]).RootElement)
            .SelectMany(e => e.EnumerateObject()).Where(p => p.Value.ValueKind == JsonValueKind.Null).Select(p => p.Name).ToList();
        Assert.True(nulls.Count > 0, stream[^Math.Min(600, stream.Length)..]);
    }

    [Theory]
    [InlineData("/assets/..%2F..%2Fappsettings.json")]
    [InlineData("/assets/%2Fetc%2Fpasswd")]
    [InlineData("/assets/missing.js")]
    [InlineData("/api/nothing-here")]
    public async Task Only_embedded_assets_are_served_and_a_miss_is_a_JSON_404(string path)
    {
        var r = await Http.GetAsync(lesson.Url + path);
        Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        await ErrorBody(r);
    }

    [Fact]
    public async Task Responses_carry_the_security_headers_and_assets_revalidate_by_ETag()
    {
        foreach (string path in new[] { "/", "/assets/app.js", "/api/limits", "/api/nothing-here" })
        {
            var r = await Http.GetAsync(lesson.Url + path);
            Assert.Equal("nosniff", string.Join(",", r.Headers.GetValues("X-Content-Type-Options")));
            string csp = string.Join(",", r.Headers.GetValues("Content-Security-Policy"));
            Assert.Contains("frame-ancestors 'none'", csp);
            Assert.Contains("script-src 'self'", csp);
            Assert.DoesNotContain("unsafe-inline", csp);
            Assert.Equal("no-referrer", string.Join(",", r.Headers.GetValues("Referrer-Policy")));
        }
        var first = await Http.GetAsync(lesson.Url + "/assets/app.js");
        Assert.Equal("no-cache", first.Headers.CacheControl?.ToString());
        var etag = first.Headers.ETag!;
        using var again = new HttpRequestMessage(HttpMethod.Get, lesson.Url + "/assets/app.js");
        again.Headers.IfNoneMatch.Add(etag);
        Assert.Equal(HttpStatusCode.NotModified, (await Http.SendAsync(again)).StatusCode);
        // No inline script or handler in the page: the policy would block it.
        string html = await Http.GetStringAsync(lesson.Url + "/");
        Assert.DoesNotMatch(@"\son[a-z]+\s*=", html);
        Assert.DoesNotMatch(@"<script>|<script [^>]*>[^<]", html);
        Assert.DoesNotContain("style=", html);
    }

    [Theory]
    [InlineData("evil.example")]
    [InlineData("rebound.attacker.test:5080")]
    public async Task A_request_naming_another_host_is_refused(string host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, lesson.Url + "/api/train/check");
        request.Headers.Host = host;
        var r = await Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Contains("answers to", (await ErrorBody(r)).GetProperty("error").GetString());
        using var local = new HttpRequestMessage(HttpMethod.Get, lesson.Url + "/api/limits");
        local.Headers.Host = "localhost";
        Assert.Equal(HttpStatusCode.OK, (await Http.SendAsync(local)).StatusCode);
    }

    [Fact]
    public void A_wildcard_address_accepts_any_host_and_a_named_one_adds_itself()
    {
        Assert.Null(Hardening.AllowedHosts("http://0.0.0.0:5080"));
        Assert.Null(Hardening.AllowedHosts("http://*:5080"));
        var named = Hardening.AllowedHosts("http://lab.school.example:8080;http://127.0.0.1:5080")!;
        Assert.Contains("lab.school.example", named);
        Assert.Contains("localhost", named);
        Assert.DoesNotContain("evil.example", named);
    }

    [Theory]
    [InlineData("text/plain", "{\"answers\":[]}", HttpStatusCode.UnsupportedMediaType)]
    [InlineData("application/json", "not json", HttpStatusCode.BadRequest)]
    [InlineData("application/json", "{\"answers\":[0]}", HttpStatusCode.BadRequest)]
    [InlineData("application/json", "{\"answers\":[99,0,0,0,0,0,0,0]}", HttpStatusCode.BadRequest)]
    public async Task Bad_quiz_submissions_get_a_JSON_error_that_does_not_echo_them(string contentType, string body, HttpStatusCode status)
    {
        var r = await Http.PostAsync(lesson.Url + "/api/quiz/grade", new StringContent(body, Encoding.UTF8, contentType));
        Assert.Equal(status, r.StatusCode);
        string error = (await ErrorBody(r)).GetProperty("error").GetString()!;
        Assert.DoesNotContain("99", error);
    }
}
