// Loaded in <head>, before the body paints, so no page flashes in the wrong colours or times.
// The server writes data-theme when the reader chose a mode (the beatpass-theme cookie); otherwise the page follows
// the system preference, live. The toggle button ([data-theme-toggle]) flips the mode and remembers it for a year.
(function () {
    const root = document.documentElement;
    const system = window.matchMedia('(prefers-color-scheme: dark)');
    const chosen = root.dataset.theme;

    if (!chosen) {
        root.dataset.theme = system.matches ? 'dark' : 'light';
        system.addEventListener('change', e => {
            if (!document.cookie.split('; ').some(c => c.startsWith('beatpass-theme='))) {
                root.dataset.theme = e.matches ? 'dark' : 'light';
            }
        });
    }

    // The server shows dates in the reader's time zone, which it learns from this cookie, refreshed on every page.
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone) {
        document.cookie = `beatpass-tz=${encodeURIComponent(zone)}; path=/; samesite=lax`;
    }

    // The phone menu closes once a link in it is followed or the page is clicked elsewhere: the top bar stays on
    // the page between Blazor pages, so it would otherwise stay open.
    document.addEventListener('click', e => {
        for (const menu of document.querySelectorAll('.appbar-menu[open]')) {
            if (!menu.contains(e.target) || e.target.closest('.appbar-menu nav a')) {
                menu.open = false;
            }
        }
    });

    // Delegated, so it works for buttons that Blazor renders later.
    document.addEventListener('click', e => {
        if (!e.target.closest('[data-theme-toggle]')) {
            return;
        }
        const mode = root.dataset.theme === 'dark' ? 'light' : 'dark';
        root.dataset.theme = mode;
        document.cookie = `beatpass-theme=${mode}; path=/; max-age=31536000; samesite=lax`;
    });
})();
