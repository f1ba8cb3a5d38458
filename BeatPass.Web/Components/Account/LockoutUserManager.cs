using BeatPass.Core.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace BeatPass.Web.Components.Account;

/// <summary>
/// A wrong current password on "Change password" counts toward lockout, as one on sign-in does: a stolen session
/// must not become a way to guess the password without limit.
/// </summary>
internal sealed class LockoutUserManager(
    IUserStore<BeatPassUser> store,
    IOptions<IdentityOptions> optionsAccessor,
    IPasswordHasher<BeatPassUser> passwordHasher,
    IEnumerable<IUserValidator<BeatPassUser>> userValidators,
    IEnumerable<IPasswordValidator<BeatPassUser>> passwordValidators,
    ILookupNormalizer keyNormalizer,
    IdentityErrorDescriber errors,
    IServiceProvider services,
    ILogger<UserManager<BeatPassUser>> logger)
    : UserManager<BeatPassUser>(store, optionsAccessor, passwordHasher, userValidators, passwordValidators, keyNormalizer, errors, services, logger)
{
    public override async Task<IdentityResult> ChangePasswordAsync(BeatPassUser user, string currentPassword, string newPassword)
    {
        if (await IsLockedOutAsync(user))
        {
            return IdentityResult.Failed(new IdentityError
            {
                Code = "LockedOut",
                Description = "Too many wrong passwords: this account is locked for a few minutes. Try again later.",
            });
        }

        if (!await CheckPasswordAsync(user, currentPassword))
        {
            await AccessFailedAsync(user);
            return IdentityResult.Failed(ErrorDescriber.PasswordMismatch());
        }

        var result = await base.ChangePasswordAsync(user, currentPassword, newPassword);
        if (result.Succeeded)
        {
            await ResetAccessFailedCountAsync(user);
        }

        return result;
    }
}
