#!/usr/bin/env bash
# Regenerates the README's screenshots in docs/screenshots from the running app, with the browser suite's
# fixture (system Chromium; ./test.sh installs it when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
BEATPASS_UPDATE_DOCS_SCREENSHOTS=1 dotnet test BeatPass.Tests/BeatPass.Tests.csproj \
    --filter "FullyQualifiedName~DocumentationScreenshotsTests"
ls -l docs/screenshots
