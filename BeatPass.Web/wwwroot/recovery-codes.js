// "Copy" on the recovery codes page: shown only where the clipboard can be written, and says so when it has.
(() => {
    const button = document.getElementById("copy-recovery-codes");
    const status = document.getElementById("copy-status");
    if (!button || !navigator.clipboard) {
        return;
    }

    button.hidden = false;
    button.addEventListener("click", async () => {
        try {
            await navigator.clipboard.writeText(button.dataset.codes);
            button.textContent = "Copied";
            status.textContent = "Recovery codes copied.";
            setTimeout(() => { button.textContent = "Copy"; }, 2000);
        } catch {
            status.textContent = "Copying was not allowed. Select the codes, or download them.";
        }
    });
})();
