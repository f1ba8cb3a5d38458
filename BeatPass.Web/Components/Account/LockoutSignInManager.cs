using BeatPass.Core.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace BeatPass.Web.Components.Account;

/// <summary>
/// Identity's default sign-in page signs in with <c>lockoutOnFailure: false</c>, so wrong passwords could be
/// tried without end. Here every password sign-in counts failures, and repeated ones lock the account out
/// for a while (<see cref="IdentityOptions.Lockout"/>).
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
    public override Task<SignInResult> PasswordSignInAsync(BeatPassUser user, string password, bool isPersistent, bool lockoutOnFailure) =>
        base.PasswordSignInAsync(user, password, isPersistent, lockoutOnFailure: true);
}
