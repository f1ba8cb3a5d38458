using System.Globalization;
using BeatPass.Web.Authentication;
using BeatPass.Web.Security;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace BeatPass.Web.Api;

/// <summary>The OpenAPI document for <c>/api/v1</c> and the browsable reference built from it.</summary>
public static class ApiDocumentation
{
    public const string DocumentName = "v1";

    /// <summary>Where the reference page lives; the Developers section links here.</summary>
    public const string ReferencePath = "/scalar/" + DocumentName;

    private const string SecuritySchemeName = "Bearer";

    // {0} is this server's address, from App:PublicUrl.
    private const string Description = """
        The BeatPass API gives your own scripts and apps access to your BeatPass account.

        Every request must carry one of your personal API tokens in the `Authorization` header, using the
        Bearer scheme. Create tokens in **Account Settings → Developers**; a token is shown once, when it is created.

        ```
        curl {0}/api/v1/me -H "Authorization: Bearer bpat_…"
        ```

        A missing, malformed, unknown, deleted, revoked or expired token gets `401 Unauthorized` with a
        `WWW-Authenticate: Bearer` header that says why, and a problem details body.

        Each token holds the permissions chosen when it was created; each operation below names the one it needs.
        A token without it gets `403 Forbidden` with
        `WWW-Authenticate: Bearer error="insufficient_scope", scope="<permission>"`, an `X-Accepted-Permissions`
        header naming the permission, and a problem details body. Every answer to a token says what the token may
        do in `X-Token-Permissions`.

        Found a token where it shouldn't be, such as in a public repository? Report it at
        [{0}/report-exposed-token]({0}/report-exposed-token), or send it, with others, to
        `POST {0}/credentials/revoke` as `{{"credentials": ["bpat_…"]}}` (no token needed). BeatPass revokes every token
        among them at once and tells its holder; the answer is the same whatever you send.
        """;

    public static IServiceCollection AddBeatPassApiDocumentation(this IServiceCollection services) =>
        services.AddOpenApi(DocumentName, options =>
        {
            options.ShouldInclude = api => api.RelativePath?.StartsWith("api/v1/", StringComparison.Ordinal) == true;
            options.AddDocumentTransformer((document, context, _) =>
            {
                // The examples, Scalar's included, use this server's address: the configured one, never the request's
                // Host header.
                var app = context.ApplicationServices.GetRequiredService<IOptions<AppOptions>>().Value;
                var server = app.IsValid ? app.Link("") : "https://beatpass.example";
                document.Servers = [new OpenApiServer { Url = server }];
                document.Info = new OpenApiInfo
                {
                    Title = "BeatPass API",
                    Version = DocumentName,
                    Description = string.Format(CultureInfo.InvariantCulture, Description, server),
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[SecuritySchemeName] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "bpat_ personal API token",
                    Description = "A personal API token from Account Settings → Developers: `Authorization: Bearer bpat_…`.",
                };
                document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SecuritySchemeName, document)] = [] }];
                return Task.CompletedTask;
            });
            // Each operation: the permission it needs as the scope of its security requirement, and its refusals.
            options.AddOperationTransformer((operation, context, _) =>
            {
                var permission = context.Description.ActionDescriptor.EndpointMetadata.OfType<RequiredApiPermission>().FirstOrDefault()?.Permission;
                operation.Security =
                [
                    new OpenApiSecurityRequirement
                    {
                        [new OpenApiSecuritySchemeReference(SecuritySchemeName, context.Document)] = permission is null ? [] : [permission],
                    },
                ];
                operation.Responses ??= new OpenApiResponses();
                operation.Responses.TryAdd("401", new OpenApiResponse { Description = "No token, or one that is malformed, unknown, deleted, revoked or expired." });
                if (permission is not null)
                {
                    operation.Responses.TryAdd("403", new OpenApiResponse { Description = $"The token lacks the permission {permission}." });
                    operation.Description = $"{operation.Description}\n\nNeeds the permission `{permission}`.".TrimStart();
                }

                return Task.CompletedTask;
            });
        });

    public static IEndpointRouteBuilder MapBeatPassApiDocumentation(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi();
        // Only what the reference needs: no fonts from Scalar's CDN, no telemetry, AI agent or developer tools.
        app.MapScalarApiReference((options, context) => options
            .WithNonce(context.CspNonce())
            .WithTitle("BeatPass API")
            .AddPreferredSecuritySchemes(SecuritySchemeName)
            .DisableDefaultFonts()
            .DisableTelemetry()
            .DisableAgent()
            .DisableMcp()
            .HideDeveloperTools()
            .WithDotNetFlag(false));
        return app;
    }
}
