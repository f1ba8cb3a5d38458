// Puts the focus in a dialog's field once the dialog has opened. The dialog's focus trap parks the focus
// on a placeholder while it opens, so for a moment take it back from there (never from a control the
// user chose).
export function focusWhenOpen(id) {
    const until = Date.now() + 1000;
    const check = () => {
        const field = document.getElementById(id);
        const active = document.activeElement;
        if (field && active !== field && (!active || active === document.body || active.tabIndex < 0)) {
            field.focus();
        }
        if (Date.now() < until) {
            setTimeout(check, 50);
        }
    };
    check();
}
