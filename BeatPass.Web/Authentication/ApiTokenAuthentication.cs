using Microsoft.AspNetCore.Authentication;

namespace BeatPass.Web.Authentication;

/// <summary>
/// The ApiToken scheme's result for a request, kept by the first to ask for it (the failed-authentication limit, before
/// routing), so that authorization and the gateway check take it as it is. Authenticating again would give the same
/// answer (the handler keeps its own), wrapped anew in a ticket and a result: on every API request.
/// </summary>
public static class ApiTokenAuthentication
{
    public static Task<AuthenticateResult> AuthenticateOnceAsync(HttpContext context) =>
        context.Features.Get<Kept>()?.Authenticated
        ?? Keep(context, context.AuthenticateAsync(ApiTokenDefaults.AuthenticationScheme));

    // The finished task itself is kept, so taking it again allocates nothing; a request without a token keeps nothing
    // (there is little to redo), so it allocates nothing either.
    private static Task<AuthenticateResult> Keep(HttpContext context, Task<AuthenticateResult> authenticating)
    {
        if (!authenticating.IsCompletedSuccessfully)
        {
            return KeepWhenDoneAsync(context, authenticating);
        }

        if (!authenticating.Result.None)
        {
            context.Features.Set(new Kept(authenticating));
        }

        return authenticating;
    }

    private static async Task<AuthenticateResult> KeepWhenDoneAsync(HttpContext context, Task<AuthenticateResult> authenticating)
    {
        await authenticating;
        return await Keep(context, authenticating);
    }

    private sealed record Kept(Task<AuthenticateResult> Authenticated);
}
