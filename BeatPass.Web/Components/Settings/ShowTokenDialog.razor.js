// The browser's clipboard, for the show-once token dialog.
export function copyText(text) {
    return navigator.clipboard.writeText(text);
}
