// The browser's clipboard, for CopyButton.
export function copyText(text) {
    return navigator.clipboard.writeText(text);
}
