//! The main page's module preloads (ui/index.html) name exactly the modules
//! main.js imports, directly or through others: a module left out would be
//! fetched late again, one named that is gone would fail to load. Reads the
//! files only; no window.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use watchword_e2e::workspace_dir;

/// The relative modules a module imports (`from './x.js'`, `import './x.js'`).
fn imports(source: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (index, _) in source.match_indices('\'') {
        let rest = &source[index + 1..];
        let Some(end) = rest.find('\'') else { continue };
        let spec = &rest[..end];
        let before = source[..index].trim_end();
        let is_import = before.ends_with("from") || before.ends_with("import");
        if is_import && (spec.starts_with("./") || spec.starts_with("../")) && spec.ends_with(".js")
        {
            found.push(spec.to_string());
        }
    }
    found
}

/// `dir/spec` with `.` and `..` resolved, relative to ui/.
fn resolve(dir: &Path, spec: &str) -> PathBuf {
    let mut parts: Vec<Component<'_>> = dir.components().collect();
    for part in Path::new(spec).components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.iter().collect()
}

#[test]
fn the_page_preloads_every_module_main_imports_and_nothing_else() {
    let ui = workspace_dir().join("ui");
    let mut reached = BTreeSet::new();
    let mut todo = vec![PathBuf::from("main.js")];
    while let Some(module) = todo.pop() {
        let source = std::fs::read_to_string(ui.join(&module))
            .unwrap_or_else(|e| panic!("read ui/{}: {e}", module.display()));
        let dir = module.parent().unwrap_or(Path::new("")).to_path_buf();
        for spec in imports(&source) {
            let target = resolve(&dir, &spec);
            if reached.insert(target.clone()) {
                todo.push(target);
            }
        }
    }
    assert!(
        reached.len() > 10,
        "main.js's imports were not followed: {reached:?}"
    );
    let page = std::fs::read_to_string(ui.join("index.html")).expect("read ui/index.html");
    let preloaded: BTreeSet<PathBuf> = page
        .split("<link rel=\"modulepreload\" href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(PathBuf::from)
        .collect();
    let missing: Vec<_> = reached.difference(&preloaded).collect();
    let extra: Vec<_> = preloaded.difference(&reached).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "ui/index.html's modulepreload links are out of date: add {missing:?}, remove {extra:?}"
    );
}
