using System.Security.Claims;
using BeatPass.Core.ApiTokens;
using BeatPass.Tests.Infrastructure;
using BeatPass.Web.Authentication;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace BeatPass.Tests.Api;

/// <summary>The app's policy evaluator, with its own services and a real token, as the authorization middleware calls it.</summary>
public sealed class ApiTokenPolicyEvaluatorTests(BeatPassAppFactory app) : IClassFixture<BeatPassAppFactory>
{
    private static readonly AuthorizationPolicy ApiPolicy = new AuthorizationPolicyBuilder(ApiTokenDefaults.AuthenticationScheme)
        .RequireAuthenticatedUser().Build();

    [Fact]
    public async Task A_valid_token_is_the_user_with_the_handlers_principal_and_nothing_merged_into_it()
    {
        var user = await app.CreateUserAsync();
        var token = await app.CreateTokenAsync(user.Id, "Evaluated");
        await using var scope = app.Services.CreateAsyncScope();
        var context = Request(scope, $"Bearer {token.PlainText}");

        var result = await Evaluator(scope).AuthenticateAsync(ApiPolicy, context);

        result.Succeeded.Should().BeTrue();
        context.User.Should().BeSameAs(result.Principal);
        context.User.Should().BeSameAs((await context.AuthenticateAsync(ApiTokenDefaults.AuthenticationScheme)).Principal,
            "the handler's principal is taken as it is, not copied into a merged one");
        context.User.Identities.Should().ContainSingle().Which.AuthenticationType.Should().Be(ApiTokenDefaults.AuthenticationScheme);
        ApiTokenPrincipal.IdentityOf(context.User).Should().BeEquivalentTo(new { TokenId = token.Summary.Id, UserId = user.Id, TokenName = "Evaluated" });
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer bpat_not-a-token")]
    public async Task Without_a_valid_token_the_user_is_nobody_and_the_result_is_no_result(string? authorization)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var context = Request(scope, authorization);
        context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "cookie user")], "Identity.Application"));

        var result = await Evaluator(scope).AuthenticateAsync(ApiPolicy, context);

        result.None.Should().BeTrue("as ASP.NET Core's evaluator answers when a policy's schemes all fail");
        context.User.Identity!.IsAuthenticated.Should().BeFalse("a cookie's user must not stand in for a token");
    }

    [Fact]
    public async Task A_policy_of_other_schemes_is_evaluated_as_ASP_NET_Core_does()
    {
        var user = await app.CreateUserAsync();
        var token = await app.CreateTokenAsync(user.Id, "Merged");
        await using var scope = app.Services.CreateAsyncScope();
        var context = Request(scope, $"Bearer {token.PlainText}");
        var twoSchemes = new AuthorizationPolicyBuilder(ApiTokenDefaults.AuthenticationScheme, "Identity.Application")
            .RequireAuthenticatedUser().Build();

        var result = await Evaluator(scope).AuthenticateAsync(twoSchemes, context);

        result.Succeeded.Should().BeTrue();
        result.Ticket!.AuthenticationScheme.Should().Be($"{ApiTokenDefaults.AuthenticationScheme};Identity.Application", "the default merges into a ticket of both");
        context.User.Identities.Should().ContainSingle().Which.AuthenticationType.Should().Be(ApiTokenDefaults.AuthenticationScheme);
    }

    [Theory]
    [InlineData(true, new[] { ApiPermissions.AccountRead })]
    [InlineData(true, new[] { ApiPermissions.TokensRead })]
    [InlineData(true, new[] { ApiPermissions.AccountRead, ApiPermissions.TokensRead, ApiPermissions.SecurityLogRead })]
    [InlineData(false, new[] { ApiPermissions.AccountRead })]
    public async Task A_policy_of_permissions_is_decided_as_ASP_NET_Cores_evaluator_decides_it(bool withToken, string[] permissions)
    {
        var user = await app.CreateUserAsync();
        var token = await app.CreateTokenAsync(user.Id, "Authorized");
        // An endpoint's policy as the authorization middleware combines it: the API group's and the permissions'.
        var policy = AuthorizationPolicy.Combine(
            [ApiPolicy, .. permissions.Select(p => new AuthorizationPolicyBuilder(ApiTokenDefaults.AuthenticationScheme)
                .AddRequirements(new ApiPermissionRequirement(p)).Build())]);

        var shortcut = await AuthorizeAsync(Evaluator, policy, withToken ? $"Bearer {token.PlainText}" : null);
        var aspNetCore = await AuthorizeAsync(scope => new PolicyEvaluator(scope.ServiceProvider.GetRequiredService<IAuthorizationService>()),
            policy, withToken ? $"Bearer {token.PlainText}" : null);

        shortcut.Should().BeEquivalentTo(aspNetCore);
        shortcut.Succeeded.Should().Be(withToken && permissions is [ApiPermissions.AccountRead], "a new token holds account:read alone");
        shortcut.Challenged.Should().Be(!withToken);
    }

    [Fact]
    public async Task A_policy_with_another_requirement_is_authorized_as_ASP_NET_Core_does()
    {
        var user = await app.CreateUserAsync();
        var token = await app.CreateTokenAsync(user.Id, "Claimed");
        var policy = new AuthorizationPolicyBuilder(ApiTokenDefaults.AuthenticationScheme)
            .AddRequirements(new ApiPermissionRequirement(ApiPermissions.AccountRead))
            .RequireClaim("not-a-token-claim")
            .Build();

        var result = await AuthorizeAsync(Evaluator, policy, $"Bearer {token.PlainText}");

        result.Forbidden.Should().BeTrue();
        result.FailedRequirements.Should().ContainSingle().Which.Should().BeOfType<ClaimsAuthorizationRequirement>();
    }

    [Fact]
    public void The_app_registers_no_authorization_handler_but_ASP_NET_Cores_pass_through_one()
    {
        // The evaluator decides permission policies itself on that ground: another handler could fail any requirement.
        using var scope = app.Services.CreateScope();

        scope.ServiceProvider.GetServices<IAuthorizationHandler>().Should().ContainSingle().Which.Should().BeOfType<PassThroughAuthorizationHandler>();
    }

    private sealed record Authorized(bool Succeeded, bool Challenged, bool Forbidden, IAuthorizationRequirement[] FailedRequirements);

    private async Task<Authorized> AuthorizeAsync(Func<AsyncServiceScope, IPolicyEvaluator> evaluatorIn, AuthorizationPolicy policy, string? authorization)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var context = Request(scope, authorization);
        var evaluator = evaluatorIn(scope);
        var authenticated = await evaluator.AuthenticateAsync(policy, context);
        var result = await evaluator.AuthorizeAsync(policy, authenticated, context, context);
        return new Authorized(result.Succeeded, result.Challenged, result.Forbidden, [.. result.AuthorizationFailure?.FailedRequirements ?? []]);
    }

    private static IPolicyEvaluator Evaluator(AsyncServiceScope scope)
    {
        var evaluator = scope.ServiceProvider.GetRequiredService<IPolicyEvaluator>();
        evaluator.Should().BeOfType<ApiTokenPolicyEvaluator>();
        return evaluator;
    }

    private static DefaultHttpContext Request(AsyncServiceScope scope, string? authorization)
    {
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Request.Path = "/api/v1/me";
        if (authorization is not null)
        {
            context.Request.Headers.Authorization = authorization;
        }

        return context;
    }
}
