using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;

namespace BeatPass.Web.Authentication;

/// <summary>
/// ASP.NET Core's policy evaluator with two shortcuts for a policy of the ApiToken scheme alone (every API endpoint's).
/// It takes the token's principal as the handler made it, from the result the failed-authentication limit kept
/// (<see cref="ApiTokenAuthentication"/>), instead of authenticating again and merging the result into a new principal
/// and ticket on every request. And when the policy asks only for an authenticated user and permissions, it checks them
/// itself instead of through <see cref="IAuthorizationService"/>, which makes a handler context, a set of pending
/// requirements and a task per handler on every API request to reach the same answer: those requirements decide for
/// themselves, and the app registers no other handler (ASP.NET Core's pass-through one alone; a test checks it).
/// The user it sets and the results it returns say the same as the default's.
/// </summary>
public sealed class ApiTokenPolicyEvaluator(IAuthorizationService authorization) : PolicyEvaluator(authorization)
{
    private static readonly Task<PolicyAuthorizationResult> Succeeded = Task.FromResult(PolicyAuthorizationResult.Success());
    private static readonly Task<PolicyAuthorizationResult> Challenged = Task.FromResult(PolicyAuthorizationResult.Challenge());

    public override async Task<AuthenticateResult> AuthenticateAsync(AuthorizationPolicy policy, HttpContext context)
    {
        if (policy.AuthenticationSchemes is not [ApiTokenDefaults.AuthenticationScheme])
        {
            return await base.AuthenticateAsync(policy, context);
        }

        var result = await ApiTokenAuthentication.AuthenticateOnceAsync(context);
        if (!result.Succeeded)
        {
            context.User = new ClaimsPrincipal(new ClaimsIdentity());
            return AuthenticateResult.NoResult();
        }

        context.User = result.Principal;
        return result;
    }

    public override Task<PolicyAuthorizationResult> AuthorizeAsync(
        AuthorizationPolicy policy, AuthenticateResult authenticationResult, HttpContext context, object? resource)
    {
        if (policy.AuthenticationSchemes is not [ApiTokenDefaults.AuthenticationScheme] || !AsksOnlyForATokenAndPermissions(policy))
        {
            return base.AuthorizeAsync(policy, authenticationResult, context, resource);
        }

        // Without a token the user is nobody, whom every such requirement refuses: ASP.NET Core challenges.
        if (!authenticationResult.Succeeded)
        {
            return Challenged;
        }

        // Index loops: a foreach over the list's interface would allocate its enumerator on every request.
        List<IAuthorizationRequirement>? missing = null;
        for (var i = 0; i < policy.Requirements.Count; i++)
        {
            if (policy.Requirements[i] is ApiPermissionRequirement permission && !permission.IsHeldBy(context.User))
            {
                (missing ??= []).Add(permission);
            }
        }

        return missing is null ? Succeeded : Task.FromResult(PolicyAuthorizationResult.Forbid(AuthorizationFailure.Failed(missing)));
    }

    private static bool AsksOnlyForATokenAndPermissions(AuthorizationPolicy policy)
    {
        for (var i = 0; i < policy.Requirements.Count; i++)
        {
            if (policy.Requirements[i] is not (DenyAnonymousAuthorizationRequirement or ApiPermissionRequirement))
            {
                return false;
            }
        }

        return true;
    }
}
