//! The `--format` value.

use clap::ValueEnum;
use palisade_report::Format;

#[test]
fn format_parses_and_prints() {
    for f in Format::ALL {
        assert_eq!(f.to_string().parse::<Format>().unwrap(), f);
        assert_eq!(Format::from_str(&f.to_string(), false).unwrap(), f);
    }
    assert_eq!("SARIF".parse::<Format>().unwrap(), Format::Sarif);
    let err = "xml".parse::<Format>().unwrap_err();
    assert!(err.to_string().contains("xml"));
    let names: Vec<String> = Format::value_variants()
        .iter()
        .map(|v| v.to_possible_value().unwrap().get_name().to_string())
        .collect();
    assert_eq!(names, ["table", "json", "sarif", "checkstyle", "gitlab"]);
}
