using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace BeatPass.Web.Authentication;

/// <summary>
/// ASP.NET Core's policy evaluator with one shortcut: a policy of the ApiToken scheme alone (every API endpoint's) takes
/// the token's principal as the handler made it, from the result the failed-authentication limit kept
/// (<see cref="ApiTokenAuthentication"/>), instead of authenticating again and merging the result into a new principal
/// and ticket on every request.
/// The user it sets and the result it returns say the same as the default's.
/// </summary>
public sealed class ApiTokenPolicyEvaluator(IAuthorizationService authorization) : PolicyEvaluator(authorization)
{
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
}
