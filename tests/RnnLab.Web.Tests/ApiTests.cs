using System.Net;
using System.Text.Json;

namespace RnnLab.Web.Tests;

/// <summary>Server-side validation and the page's assets, over plain HTTP.</summary>
[Collection(BrowserCollection.Name)]
public class ApiTests(LessonFixture lesson)
{
    static readonly HttpClient Http = new();

    [Theory]
    [InlineData("/api/refresher?a11=abc", "a11")]
    [InlineData("/api/refresher?k=100000", "k")]
    [InlineData("/api/refresher?a22=NaN", "a22")]
    [InlineData("/api/train/check?hidden=100000", "hidden")]
    [InlineData("/api/train/check?steps=0", "steps")]
    [InlineData("/api/train/check?cell=transformer", "cell")]
    [InlineData("/api/train/stream?lr=-1", "lr")]
    [InlineData("/api/sentence?distance=9999", "distance")]
    public async Task Invalid_values_get_400_with_a_message_naming_the_field(string path, string field)
    {
        var r = await Http.GetAsync(lesson.Url + path);
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        using var body = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
        Assert.Equal(field, body.RootElement.GetProperty("field").GetString());
        Assert.False(string.IsNullOrWhiteSpace(body.RootElement.GetProperty("error").GetString()));
    }

    [Theory]
    [InlineData("/assets/..%2F..%2Fappsettings.json")]
    [InlineData("/assets/%2Fetc%2Fpasswd")]
    [InlineData("/assets/missing.js")]
    public async Task Only_embedded_assets_are_served(string path)
    {
        var r = await Http.GetAsync(lesson.Url + path);
        Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
    }
}
