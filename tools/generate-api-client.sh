#!/usr/bin/env bash
# Regenerates the Kiota client in BeatPass.Tests/GeneratedClient/Kiota from the OpenAPI document the app serves, as an
# API consumer would generate theirs. Run it after changing the API: GeneratedClientTests fails until the
# committed document (BeatPass.Tests/GeneratedClient/openapi.json) is the one the app serves.
set -euo pipefail
cd "$(dirname "$0")/.."
client=BeatPass.Tests/GeneratedClient

# The test writes the served document to $client/openapi.json instead of comparing.
BEATPASS_UPDATE_API_CLIENT=1 dotnet test BeatPass.Tests/BeatPass.Tests.csproj \
    --filter "FullyQualifiedName~GeneratedClientTests.The_client_was_generated_from_the_document_the_app_serves"

dotnet tool restore
# Kiota checks for updates online first; without internet that fails with a stack trace and generation goes on.
dotnet kiota generate --language CSharp --openapi "$client/openapi.json" --output "$client/Kiota" \
    --class-name BeatPassApiClient --namespace-name BeatPass.Tests.GeneratedClient \
    --exclude-backward-compatible --clean-output --log-level Warning
rm -f "$client/Kiota/.kiota.log"
git status --short "$client"
