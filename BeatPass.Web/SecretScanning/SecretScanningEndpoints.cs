using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using BeatPass.Core.ApiTokens;
using BeatPass.Web.Components;
using Microsoft.Extensions.Options;

namespace BeatPass.Web.SecretScanning;

/// <summary>
/// The two ways a leaked token reaches BeatPass without its holder: GitHub's secret-scanning partner alert, signed by
/// GitHub, and the public revocation anyone may post to. Neither needs a sign-in; both revoke through
/// <see cref="ApiTokenLeakReports"/>.
/// </summary>
public static class SecretScanningEndpoints
{
    public const string GitHubAlertPath = "/secret-scanning/github";
    public const string PublicRevocationPath = "/credentials/revoke";

    public const string KeyIdentifierHeader = "Github-Public-Key-Identifier";
    public const string SignatureHeader = "Github-Public-Key-Signature";

    /// <summary>The most credentials one public revocation may name.</summary>
    public const int MaxCredentials = 1000;

    /// <summary>What every public revocation answers, whatever matched, so that it tells nothing about a token.</summary>
    public const string PublicRevocationAnswer =
        "Thank you. Any BeatPass API token among these that still worked is now revoked, and its holder has been told.";

    // 1,000 alert records with long addresses fit well within it.
    private const int MaxAlertBytes = 2 * 1024 * 1024;
    private const int MaxRevocationBytes = 256 * 1024;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The settings (checked at start), GitHub's keys and the public revocation's limit.</summary>
    public static IServiceCollection AddSecretScanning(this IServiceCollection services)
    {
        services.AddOptions<SecretScanningOptions>()
            .BindConfiguration(SecretScanningOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        // A slow GitHub must not eat the 10 s it gives a partner to answer.
        services.AddHttpClient(GitHubSecretScanningKeys.HttpClientName, client =>
        {
            client.Timeout = TimeSpan.FromSeconds(5);
            client.DefaultRequestHeaders.UserAgent.ParseAdd("BeatPass-Settings");
            client.DefaultRequestHeaders.Accept.ParseAdd("application/json");
        });
        services.AddSingleton<GitHubSecretScanningKeys>();
        services.AddSingleton<PublicRevocationLimit>();
        return services;
    }

    public static IEndpointRouteBuilder MapSecretScanning(this IEndpointRouteBuilder app)
    {
        app.MapPost(GitHubAlertPath, ReceiveGitHubAlertAsync).ExcludeFromDescription();
        app.MapPost(PublicRevocationPath, RevokePubliclyAsync).ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// GitHub's alert: verified over the body's bytes as received, then each record acted on. Unverified: 400 and
    /// nothing changes; GitHub's keys out of reach: 503, so GitHub sends it again.
    /// </summary>
    private static async Task<IResult> ReceiveGitHubAlertAsync(
        HttpContext context, GitHubSecretScanningKeys keys, ApiTokenLeakReports reports, IOptions<AppOptions> app,
        ILogger<GitHubSecretScanningKeys> logger, CancellationToken cancellationToken)
    {
        context.Response.Headers.CacheControl = "no-store";
        var request = context.Request;
        if (request.Headers[KeyIdentifierHeader].ToString() is not { Length: > 0 } keyIdentifier
            || request.Headers[SignatureHeader].ToString() is not { Length: > 0 } encodedSignature)
        {
            return Refused($"The {KeyIdentifierHeader} and {SignatureHeader} headers are required.");
        }

        if (await ReadBodyAsync(request, MaxAlertBytes, cancellationToken) is not { } body)
        {
            return TooLarge();
        }

        var signature = new byte[encodedSignature.Length];
        if (!Convert.TryFromBase64String(encodedSignature, signature, out var signatureLength))
        {
            return Refused($"{SignatureHeader} is not base64.");
        }

        bool verified;
        try
        {
            verified = await keys.VerifyAsync(keyIdentifier, body, signature[..signatureLength], cancellationToken);
        }
        catch (KeysUnavailableException)
        {
            context.Response.Headers.RetryAfter = ((int)GitHubSecretScanningKeys.RefetchInterval.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Keys unavailable",
                detail: "GitHub's secret-scanning keys could not be fetched to verify this alert. Send it again later.");
        }

        if (!verified)
        {
            logger.LogWarning("Refused a secret-scanning alert whose signature does not verify with GitHub's key {KeyIdentifier}", keyIdentifier);
            return Refused("The signature does not verify with any of GitHub's secret-scanning keys.");
        }

        GitHubAlertRecord[]? records;
        try
        {
            records = JsonSerializer.Deserialize<GitHubAlertRecord[]>(body, Json);
        }
        catch (JsonException)
        {
            records = null;
        }

        if (records is null || records.Any(r => r?.Token is null))
        {
            return Refused("The alert must be a JSON array of records, each with a token.");
        }

        var issued = await reports.ReportAsync(LeakReporter.GitHubSecretScanning,
            [.. records.Select(r => new ReportedSecret(r.Token!, r.Url, r.Source))], app.Value.Link(AppPages.Developers), cancellationToken);
        logger.LogInformation("GitHub secret scanning reported {RecordCount} secrets, {IssuedCount} of them BeatPass's",
            records.Length, issued.Count(i => i));
        return Results.Ok(records.Select((r, i) => new GitHubAlertFeedback(
            Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(r.Token!))), r.Type,
            issued[i] ? "true_positive" : "false_positive")));
    }

    /// <summary>Anyone's report: each working token named is revoked; the answer is the same whatever matched.</summary>
    private static async Task<IResult> RevokePubliclyAsync(
        HttpContext context, PublicRevocationLimit limit, ApiTokenLeakReports reports, IOptions<AppOptions> app, CancellationToken cancellationToken)
    {
        context.Response.Headers.CacheControl = "no-store";
        if (!limit.TryAcquire(context.Connection.RemoteIpAddress, out var retryAfter))
        {
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many reports",
                detail: "This address has sent many reports in the last hour. Try again later.");
        }

        if (await ReadBodyAsync(context.Request, MaxRevocationBytes, cancellationToken) is not { } body)
        {
            return TooLarge();
        }

        PublicRevocation? revocation;
        try
        {
            revocation = JsonSerializer.Deserialize<PublicRevocation>(body, Json);
        }
        catch (JsonException)
        {
            revocation = null;
        }

        if (revocation?.Credentials is not { } credentials || credentials.Any(c => c is null))
        {
            return Refused("Send a JSON object with \"credentials\": an array of the tokens to revoke.");
        }

        if (credentials.Length > MaxCredentials)
        {
            return Refused($"Send at most {MaxCredentials:N0} credentials at a time.");
        }

        await reports.ReportAsync(LeakReporter.PublicRevocation, [.. credentials.Select(c => new ReportedSecret(c!))],
            app.Value.Link(AppPages.Developers), cancellationToken);
        return Results.Json(new PublicRevocationAnswerBody(PublicRevocationAnswer), statusCode: StatusCodes.Status202Accepted);
    }

    /// <summary>The body's bytes exactly as sent; null when it is longer than <paramref name="maxBytes"/>.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return null;
        }

        using var body = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (body.Length + read > maxBytes)
            {
                return null;
            }

            body.Write(chunk, 0, read);
        }

        return body.ToArray();
    }

    private static IResult Refused(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad request", detail: detail);

    private static IResult TooLarge() =>
        Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Too large", detail: "The request body is too large.");

    private sealed record GitHubAlertRecord(string? Token, string? Type, string? Url, string? Source);

    private sealed record GitHubAlertFeedback(
        [property: JsonPropertyName("token_hash")] string TokenHash,
        [property: JsonPropertyName("token_type")] string? TokenType,
        [property: JsonPropertyName("label")] string Label);

    private sealed record PublicRevocation(string?[]? Credentials);

    private sealed record PublicRevocationAnswerBody(string Message);
}
