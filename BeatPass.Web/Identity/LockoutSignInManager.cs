using BeatPass.Core.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace BeatPass.Web.Identity;

/// <summary>
/// Identity's default sign-in page signs in with <c>lockoutOnFailure: false</c>, so wrong passwords could be
/// tried without end. Here every password sign-in counts failures, and repeated ones lock the account out
/// for a while (<see cref="IdentityOptions.Lockout"/>). An unknown email costs a password hash all the same, so
/// the answer's timing does not tell whether an account exists.
/// </summary>
internal sealed class LockoutSignInManager(
    UserManager<BeatPassUser> userManager,
    IHttpContextAccessor contextAccessor,
    IUserClaimsPrincipalFactory<BeatPassUser> claimsFactory,
    IOptions<IdentityOptions> optionsAccessor,
    ILogger<SignInManager<BeatPassUser>> logger,
    IAuthenticationSchemeProvider schemes,
    IUserConfirmation<BeatPassUser> confirmation)
    : SignInManager<BeatPassUser>(userManager, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
{
    // A hash of a random password, made once: verifying against it costs what verifying a real one does.
    private static readonly string DummyHash = new PasswordHasher<BeatPassUser>().HashPassword(new BeatPassUser(), Guid.NewGuid().ToString());

    public override Task<SignInResult> PasswordSignInAsync(BeatPassUser user, string password, bool isPersistent, bool lockoutOnFailure) =>
        base.PasswordSignInAsync(user, password, isPersistent, lockoutOnFailure: true);

    public override async Task<SignInResult> PasswordSignInAsync(string userName, string password, bool isPersistent, bool lockoutOnFailure)
    {
        if (await UserManager.FindByNameAsync(userName) is { } user)
        {
            return await PasswordSignInAsync(user, password, isPersistent, lockoutOnFailure);
        }

        UserManager.PasswordHasher.VerifyHashedPassword(new BeatPassUser(), DummyHash, password);
        return SignInResult.Failed;
    }
}
