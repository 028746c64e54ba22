//! Writes the hostile inputs of issue 9 (and their neighbours) to a folder,
//! one file each, for scripts/hostile.sh to time both CLIs on:
//! `cargo run -p watchword-core --example hostile -- DIR`.

#[path = "../tests/hostile/inputs.rs"]
mod inputs;

fn main() -> std::io::Result<()> {
    let dir = std::path::PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "hostile-inputs".into()),
    );
    std::fs::create_dir_all(&dir)?;
    let files: Vec<(&str, Vec<u8>)> = vec![
        (
            "google_max_parts.txt",
            format!("{}\n", inputs::google_max_parts()).into_bytes(),
        ),
        (
            "freeotp_back_references.xml",
            inputs::freeotp_back_references(1 << 20, 2 << 20),
        ),
        (
            "aegis_max_cost_slots.json",
            inputs::aegis_max_cost_slots().into_bytes(),
        ),
        (
            "broken_lines_200k.txt",
            inputs::broken_lines(200_000).into_bytes(),
        ),
        (
            "good_lines_20k.txt",
            inputs::good_lines(20_000).into_bytes(),
        ),
        ("json_deep.json", inputs::json_deep(100_000).into_bytes()),
        ("json_wide.json", inputs::json_wide(2_500_000).into_bytes()),
        (
            "xml_billion_laughs.xml",
            inputs::xml_billion_laughs().into_bytes(),
        ),
        (
            "xml_many_nodes.xml",
            inputs::xml_many_nodes(1_500_000).into_bytes(),
        ),
        (
            "png_100000x100000.png",
            inputs::png_header(100_000, 100_000),
        ),
        (
            "steam_huge_key.json",
            inputs::steam_huge_key(5 << 20).into_bytes(),
        ),
    ];
    for (name, bytes) in files {
        std::fs::write(dir.join(name), bytes)?;
        println!("{}", dir.join(name).display());
    }
    Ok(())
}
