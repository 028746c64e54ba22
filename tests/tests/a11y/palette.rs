//! The quick-copy palette with a screen reader.

use super::*;

#[test]
fn the_palette_is_usable_with_a_screen_reader() {
    let axe = axe_source();
    let profile = Profile::new("axe_palette");
    seed(&profile);
    let app = profile.launch();
    app.wait_rows(4);
    let main = app.current_window();
    let status = profile.launch_again_with(&["--quick"]);
    assert!(status.success(), "{status}");
    let palette = app.wait_other_window(&main);
    app.switch_to_window(&palette);
    app.wait_until("the palette's list", || {
        match app.try_count("#quick-list li") {
            Ok(n) if n > 0 => Ok(()),
            other => Err(format!("{other:?}")),
        }
    });
    wait_focus(&app, "#quick-search");
    // The search is a combobox whose active option follows the arrows.
    let active = |app: &App<'_>| {
        app.execute(
            "const search = document.querySelector('#quick-search');
             const id = search.getAttribute('aria-activedescendant');
             const option = id && document.getElementById(id);
             return option ? [id, option.getAttribute('role'), option.getAttribute('aria-selected')] : null;",
            json!([]),
        )
    };
    assert_eq!(active(&app), json!(["quick-0", "option", "true"]));
    app.press_keys(&watchword_e2e::KEY_DOWN.to_string());
    app.wait_until("the second option active", || match active(&app) {
        v if v == json!(["quick-1", "option", "true"]) => Ok(()),
        other => Err(other.to_string()),
    });
    let mut found = Vec::new();
    check(&app, &axe, "the palette", &mut found);
    // Nothing matches: said in the live region, no active option.
    app.press_keys("zzzz");
    app.wait_until("“No account matches.”", || {
        match app.try_text("#quick-status") {
            Ok(text) if text == "No account matches." => Ok(()),
            other => Err(format!("{other:?}")),
        }
    });
    assert_eq!(active(&app), Value::Null);
    check(&app, &axe, "the palette, nothing found", &mut found);
    assert_none_serious(&found);
    app.quit();
}
