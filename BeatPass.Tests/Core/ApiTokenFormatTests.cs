using System.Security.Cryptography;
using System.Text;
using BeatPass.Core.ApiTokens;
using BeatPass.Tests.Infrastructure;

namespace BeatPass.Tests.Core;

public class ApiTokenFormatTests
{
    private const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    [Fact]
    public void A_generated_token_has_the_prefix_the_length_and_a_valid_checksum()
    {
        var token = ApiTokenFormat.Generate();

        token.Should().StartWith("bpat_").And.HaveLength(5 + 32 + 6);
        token[5..].ToCharArray().Should().OnlyContain(c => Base62.Contains(c));
        ApiTokenFormat.IsWellFormed(token).Should().BeTrue();
    }

    [Fact]
    public void Changing_any_one_character_after_the_prefix_is_rejected()
    {
        var token = ApiTokenFormat.Generate();

        ApiTokenFormat.IsWellFormed(TestFiles.WithLastCharacterChanged(token)).Should().BeFalse();
        for (var position = ApiTokenFormat.Prefix.Length; position < token.Length; position++)
        {
            var chars = token.ToCharArray();
            chars[position] = chars[position] == 'a' ? 'b' : 'a';
            var changed = new string(chars);

            ApiTokenFormat.IsWellFormed(changed).Should().BeFalse($"position {position} was changed: {changed}");
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("bpat_")]
    [InlineData("Bearer")]
    [InlineData("ghp_abcdefghijklmnopqrstuvwxyz0123456789ABCD")]
    public void Strings_of_the_wrong_shape_are_rejected(string candidate)
    {
        ApiTokenFormat.IsWellFormed(candidate).Should().BeFalse();
    }

    [Fact]
    public void A_wrong_prefix_a_wrong_length_or_a_character_outside_base62_is_rejected()
    {
        var token = ApiTokenFormat.Generate();

        ApiTokenFormat.IsWellFormed("xpat_" + token[5..]).Should().BeFalse();
        ApiTokenFormat.IsWellFormed(token.AsSpan(0, token.Length - 1)).Should().BeFalse();
        ApiTokenFormat.IsWellFormed(token + "a").Should().BeFalse();
        ApiTokenFormat.IsWellFormed(token[..10] + "-" + token[11..]).Should().BeFalse();
        ApiTokenFormat.IsWellFormed(token[..10] + "é" + token[11..]).Should().BeFalse();
    }

    [Fact]
    public void Ten_thousand_generated_tokens_are_all_distinct_and_valid()
    {
        var tokens = Enumerable.Range(0, 10_000).Select(_ => ApiTokenFormat.Generate()).ToList();

        tokens.Should().OnlyHaveUniqueItems();
        tokens.Should().OnlyContain(t => ApiTokenFormat.IsWellFormed(t));
    }

    [Fact]
    public void The_hash_is_the_SHA256_of_the_whole_token()
    {
        var token = ApiTokenFormat.Generate();

        ApiTokenHash.Parse(token).ToArray().Should().Equal(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
    }

    [Fact]
    public void Only_a_well_formed_token_has_a_hash()
    {
        var token = ApiTokenFormat.Generate();
        var typo = TestFiles.WithLastCharacterChanged(token);

        ApiTokenHash.TryParse(token, out var hash).Should().BeTrue();
        hash.Should().Be(ApiTokenHash.Parse(token));
        ApiTokenHash.TryParse(typo, out hash).Should().BeFalse();
        hash.Should().Be(default(ApiTokenHash));
        ApiTokenHash.TryParse("bpat_" + new string('é', 38), out _).Should().BeFalse();
        FluentActions.Invoking(() => ApiTokenHash.Parse(typo)).Should().Throw<FormatException>();
    }

    [Fact]
    public void The_hint_shows_the_prefix_and_the_last_four_characters_only()
    {
        var token = ApiTokenFormat.Generate();

        ApiTokenFormat.Hint(token).Should().Be("bpat_…" + token[^4..]);
    }
}
