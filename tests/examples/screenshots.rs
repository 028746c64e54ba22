//! Writes the README's screenshots of the window, light and dark, to docs/:
//! the real app under Xvfb with a few accounts. Run through
//! `scripts/screenshots.sh`.

use watchword_e2e::{workspace_dir, Profile};

fn main() {
    let profile = Profile::new("screenshots");
    for (issuer, account, key) in [
        (
            "Amazon Seller Central",
            "seller@example.com",
            "JBSWY3DPEHPK3PXP",
        ),
        ("GitHub", "octocat", "GEZDGNBVGY3TQOJQGEZDGNBV"),
        ("PayPal", "me@example.com", "MFRGGZDFMZTWQ2LKNNWG23TP"),
        ("Google", "me@gmail.com", "ONSWG4TFOQYTEMZUGU3DOOBZ"),
        ("Steam", "gamer", "MZXW6YTBOI2TEMZUGU3DOOBZ"),
        ("Crédit Mutuel", "client 0042", "KRSXG5CTMVRXEZLUKN2XAZLS"),
    ] {
        let kind = if issuer == "Steam" { "steam" } else { "totp" };
        profile.cli_add(
            &["--issuer", issuer, "--account", account, "--type", kind],
            key,
        );
    }
    let app = profile.launch();
    app.wait_loaded();
    app.wait_rows(6);
    let docs = workspace_dir().join("docs");
    std::fs::create_dir_all(&docs).expect("make docs/");
    for theme in ["light", "dark"] {
        app.execute(
            "document.documentElement.dataset.theme = arguments[0];
             document.querySelector('#backup-later').click();",
            serde_json::json!([theme]),
        );
        std::thread::sleep(std::time::Duration::from_millis(1200));
        let png = app.screenshot().expect("a screenshot");
        let path = docs.join(format!("watchword-{theme}.png"));
        std::fs::write(&path, png).expect("write the screenshot");
        println!("wrote {}", path.display());
    }
    app.quit();
}
