//! The countdowns (issue 13): one beside the title while every timed
//! account has the same period, each row its own while periods differ, and
//! back again, following what another process changes.

use super::*;

/// What the page shows of its countdowns: the list's one, if shown; and,
/// by row in order, the row's own, if shown (None for a row showing none).
/// Each as its seconds and the share of its ring still drawn.
#[derive(Debug, PartialEq)]
struct Countdowns {
    list: Option<(u64, f64)>,
    rows: Vec<Option<(u64, f64)>>,
}

/// The ring of a countdown of `period` seconds agrees with its seconds.
fn assert_ring(what: &str, (seconds, ring): (u64, f64), period: u64) {
    assert!(
        (1..=period).contains(&seconds) && (ring * period as f64 - seconds as f64).abs() < 0.01,
        "{what} ({period} s) shows {seconds} s with {ring:.3} of its ring"
    );
}

fn countdowns(app: &watchword_e2e::App<'_>) -> Result<Countdowns, String> {
    const SNAPSHOT: &str = "const seen = (el) => el.getClientRects().length > 0
            ? [el.querySelector('.seconds').textContent,
               1 - parseFloat(el.querySelector('.arc').style.strokeDashoffset) / (2 * Math.PI * 15)]
            : null;
        return [seen(document.getElementById('list-countdown')),
                [...document.querySelectorAll('#accounts li.account')]
                  .map((li) => seen(li.querySelector('.countdown')))];";
    let snapshot = app
        .try_execute(SNAPSHOT, serde_json::json!([]))
        .map_err(|e| e.to_string())?;
    let seconds = |value: &serde_json::Value| -> Result<Option<(u64, f64)>, String> {
        if value.is_null() {
            return Ok(None);
        }
        let text = value[0].as_str().unwrap_or_default();
        let seconds = text
            .parse()
            .map_err(|_| format!("a countdown shows {text:?}, not a number of seconds"))?;
        let ring = value[1]
            .as_f64()
            .ok_or(format!("a countdown's ring: {value}"))?;
        Ok(Some((seconds, ring)))
    };
    Ok(Countdowns {
        list: seconds(&snapshot[0])?,
        rows: snapshot[1]
            .as_array()
            .ok_or("no rows")?
            .iter()
            .map(seconds)
            .collect::<Result<_, _>>()?,
    })
}

/// Waits until `pick` reads two different values in a row: the countdown it
/// reads is alive. A tick comes each second whatever the time, so the 30 s
/// boundary cannot decide this.
fn wait_tick(app: &watchword_e2e::App<'_>, what: &str, pick: impl Fn(&Countdowns) -> u64) {
    let first = pick(&countdowns(app).unwrap_or_else(|e| panic!("{e}")));
    app.wait_until(&format!("{what} to tick from {first}"), || {
        let now = pick(&countdowns(app)?);
        if now != first {
            Ok(())
        } else {
            Err(format!("still {now}"))
        }
    });
}

#[test]
fn one_countdown_for_one_period_and_each_rows_own_for_mixed_periods() {
    let profile = Profile::new("countdown");
    profile.cli_add(&["--issuer", "Amazon", "--account", "buyer"], AMAZON);
    profile.cli_add(&["--issuer", "GitHub", "--account", "octocat"], GITHUB);
    // A counter-based account has no countdown and does not count.
    profile.cli_add(
        &["-"],
        &format!("otpauth://hotp/Bank:me?secret={BANK}&issuer=Bank&counter=0"),
    );
    let app = profile.launch();
    app.wait_loaded();
    app.wait_rows(3);

    let one = app.wait_until("one countdown for the list, none in the rows", || {
        let shown = countdowns(&app)?;
        match shown.list {
            Some(list) if shown.rows.iter().all(Option::is_none) => Ok(list),
            _ => Err(format!("{shown:?}")),
        }
    });
    assert_ring("the list's countdown", one, 30);
    wait_tick(&app, "the list's countdown", |shown| {
        shown
            .list
            .unwrap_or_else(|| panic!("the list's countdown went: {shown:?}"))
            .0
    });

    // Another process adds a 60 s account: each timed row shows its own.
    profile.cli_add(
        &["-"],
        &format!("otpauth://totp/Shop:me?secret={SELLER}&issuer=Shop&period=60"),
    );
    app.wait_rows(4);
    let rows = app.try_rows().unwrap_or_else(|e| panic!("{e}"));
    let index = |issuer: &str| {
        rows.iter()
            .position(|row| row.issuer == issuer)
            .unwrap_or_else(|| panic!("no {issuer} row in {rows:?}"))
    };
    let (bank, shop) = (index("Bank"), index("Shop"));
    let own = app.wait_until("each timed row's own countdown, none for the list", || {
        let shown = countdowns(&app)?;
        let timed_rows_show = shown
            .rows
            .iter()
            .enumerate()
            .all(|(i, seconds)| seconds.is_some() == (i != bank));
        if shown.list.is_none() && timed_rows_show {
            Ok(shown)
        } else {
            Err(format!("{shown:?}"))
        }
    });
    // Each by its own period: the 60 s row's ring is a share of 60 s.
    for (i, countdown) in own.rows.iter().enumerate() {
        if let Some(countdown) = countdown {
            let period = if i == shop { 60 } else { 30 };
            assert_ring(&format!("row {i}"), *countdown, period);
        }
    }
    for (name, row) in [("Amazon", index("Amazon")), ("Shop", shop)] {
        wait_tick(&app, &format!("the {name} row's countdown"), |shown| {
            shown.rows[row]
                .unwrap_or_else(|| panic!("{name}'s countdown went: {shown:?}"))
                .0
        });
    }

    // And back to one when the odd account goes.
    profile.cli(&["remove", "shop"]);
    app.wait_rows(3);
    app.wait_until("one countdown for the list again", || {
        let shown = countdowns(&app)?;
        if shown.list.is_some() && shown.rows.iter().all(Option::is_none) {
            Ok(())
        } else {
            Err(format!("{shown:?}"))
        }
    });
}

/// A list of counter-based accounts alone has nothing that changes by
/// itself, and the page does not wake each second for it (issue 13). A
/// timed account coming from another process starts the countdown.
#[test]
fn a_timed_account_joining_counter_based_ones_starts_the_countdown() {
    let profile = Profile::new("countdown-hotp");
    profile.cli_add(
        &["-"],
        &format!("otpauth://hotp/Bank:me?secret={BANK}&issuer=Bank&counter=0"),
    );
    let app = profile.launch();
    app.wait_loaded();
    app.wait_rows(1);
    let shown = countdowns(&app).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        shown,
        Countdowns {
            list: None,
            rows: vec![None]
        }
    );

    profile.cli_add(&["--issuer", "Amazon", "--account", "buyer"], AMAZON);
    app.wait_rows(2);
    let one = app.wait_until("one countdown for the list", || {
        countdowns(&app)?.list.ok_or("none yet".to_string())
    });
    assert_ring("the list's countdown", one, 30);
    wait_tick(&app, "the list's countdown", |shown| {
        shown
            .list
            .unwrap_or_else(|| panic!("the list's countdown went: {shown:?}"))
            .0
    });
}
