//! Zoom and reflow: 200 % and a 320-pixel window lose nothing.

use super::*;

/// Fails unless the page fits its width: no sideways scrolling, and the
/// toolbar's and rows' controls wholly inside the window.
fn fits(app: &App<'_>) -> Result<f64, String> {
    let seen = app
        .try_execute(
            "const d = document.documentElement;
             if (d.scrollWidth > d.clientWidth) return `scrolls sideways: ${d.scrollWidth} > ${d.clientWidth}`;
             const cut = [...document.querySelectorAll('.bar button, #search, #accounts li.account button:not([hidden])')]
               .filter((e) => e.getClientRects().length > 0)
               .filter((e) => { const r = e.getBoundingClientRect(); return r.left < 0 || r.right > d.clientWidth + 0.5; })
               .map((e) => e.id || e.className);
             if (cut.length) return `cut off: ${cut.join(', ')}`;
             return d.clientWidth;",
            json!([]),
        )
        .map_err(|e| e.to_string())?;
    seen.as_f64().ok_or_else(|| seen.to_string())
}

#[test]
fn zoom_to_200_percent_and_a_320_pixel_window_lose_nothing() {
    let profile = Profile::new("zoom");
    seed(&profile);
    let app = profile.launch();
    app.wait_loaded();
    app.wait_rows(4);
    let width = app.wait_until("the page to fit", || fits(&app));

    // Ctrl+plus five times: 200 %. The page is laid out at half the width.
    app.execute("document.activeElement.blur();", json!([]));
    for _ in 0..5 {
        app.press_chord(KEY_CONTROL, '=');
    }
    app.wait_until("the page zoomed to 200 % and fitting", || {
        let now = fits(&app)?;
        if (now - width / 2.0).abs() <= 2.0 {
            Ok(())
        } else {
            Err(format!("{now} CSS px wide, {width} before"))
        }
    });
    // Still usable: the ⋮ menu opens and its items are inside the window.
    app.execute("document.querySelector('#more-button').focus();", json!([]));
    app.press_keys(&KEY_ENTER.to_string());
    wait_shown(&app, "#more-menu");
    let inside = app.execute(
        "const r = document.querySelector('#more-menu').getBoundingClientRect();
         return r.left >= 0 && r.right <= document.documentElement.clientWidth + 0.5;",
        json!([]),
    );
    assert_eq!(inside, true, "the ⋮ menu fits at 200 %");
    app.press_keys(&KEY_ESCAPE.to_string());
    app.press_chord(KEY_CONTROL, '0');
    app.wait_until("the zoom back to 100 %", || {
        let now = fits(&app)?;
        if (now - width).abs() <= 2.0 {
            Ok(())
        } else {
            Err(format!("{now} CSS px wide"))
        }
    });

    // A window 320 px wide.
    app.set_window_size(320, 600);
    app.wait_until("the page to fit 320 px", || {
        let now = fits(&app)?;
        if now <= 320.0 {
            Ok(())
        } else {
            Err(format!("{now} px wide"))
        }
    });
    // A name cut short there shows whole once its row has the focus.
    let name = row_css(&app, "Amazon Seller Central Europe", ".name");
    let cut = app.execute(
        "const e = document.querySelector(arguments[0]); return e.scrollWidth > e.clientWidth;",
        json!([name]),
    );
    assert_eq!(cut, true, "the long address is cut short at 320 px");
    app.execute(
        "document.querySelector(arguments[0]).focus();",
        json!([row_css(&app, "Amazon Seller Central Europe", "button.code")]),
    );
    let whole = app.execute(
        "const e = document.querySelector(arguments[0]); return e.scrollWidth <= e.clientWidth;",
        json!([name]),
    );
    assert_eq!(whole, true, "the focused row shows its name whole");
    assert!(fits(&app).is_ok(), "and still fits: {:?}", fits(&app));
    app.quit();
}
