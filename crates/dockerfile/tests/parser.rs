//! Parser behaviour beyond BuildKit's dump files: heredocs, directives,
//! positions and hostile input.

use palisade_dockerfile::{Args, Pos, parse, parse_bytes};

#[test]
fn heredocs_several_per_line_quoted_and_chomped() {
    let src = "FROM alpine\nRUN <<EOF cat >/a && cat <<-'END' >/b\necho $HOME\nEOF\n\t\tliteral $X\n\tEND\nCOPY <<\"CFG\" /etc/x.conf\nk=v\nCFG\nRUN cat << SPACE\nbody\nSPACE\n";
    let df = parse(src).unwrap();
    let run = &df.instructions[1];
    assert_eq!(run.heredocs.len(), 2);
    let (a, b) = (&run.heredocs[0], &run.heredocs[1]);
    assert_eq!((a.name.as_str(), a.expand, a.chomp), ("EOF", true, false));
    assert_eq!(a.content, "echo $HOME\n");
    assert_eq!((b.name.as_str(), b.expand, b.chomp), ("END", false, true));
    assert_eq!(b.content, "\t\tliteral $X\n");
    assert_eq!(run.span.start, Pos { line: 2, column: 1 });
    assert_eq!(run.span.end.line, 6);
    let copy = &df.instructions[2];
    assert_eq!(copy.heredocs[0].name, "CFG");
    assert!(!copy.heredocs[0].expand);
    assert_eq!(copy.words(), ["<<\"CFG\"", "/etc/x.conf"]);
    assert_eq!(df.instructions[3].heredocs[0].name, "SPACE");
    assert_eq!(df.instructions.len(), 4);
}

#[test]
fn exec_form_heredoc_is_not_a_heredoc_and_here_string_is_not() {
    let df = parse("FROM a\nRUN [\"cat\", \"<<EOF\"]\nRUN cat <<<EOF\n").unwrap();
    assert!(df.instructions[1].heredocs.is_empty());
    assert!(df.instructions[2].heredocs.is_empty());
}

#[test]
fn unterminated_heredoc_is_an_error_with_its_line() {
    let e = parse("FROM a\nRUN <<EOF\necho\n").unwrap_err();
    assert_eq!(e.line, 2);
    assert!(e.message.contains("unterminated heredoc"));
}

#[test]
fn backtick_escape_and_continuations_with_comments_and_empty_lines() {
    let src = "# escape=`\nFROM windows\nRUN dir `\n    # a comment`\n\n    c:\\ `\n  && echo\n";
    let df = parse(src).unwrap();
    assert_eq!(df.escape, '`');
    assert_eq!(df.directive("escape"), Some("`"));
    let run = &df.instructions[1];
    assert_eq!(run.text(), Some("dir     c:\\   && echo"));
    assert_eq!(run.span.start, Pos { line: 3, column: 1 });
    assert_eq!(run.span.end.line, 7);
    assert_eq!(df.warnings.len(), 1, "empty continuation line warning");
    // "&&" is on line 7, column 3.
    let off = run.line.find("&&").unwrap();
    assert_eq!(run.position(off), Pos { line: 7, column: 3 });
}

#[test]
fn directives_only_at_the_top_and_not_twice() {
    let df = parse("# syntax=docker/dockerfile:1\n# check=skip=all\nFROM a\n").unwrap();
    assert_eq!(df.directive("syntax"), Some("docker/dockerfile:1"));
    assert_eq!(df.directive("check"), Some("skip=all"));
    let df = parse("FROM a\n# escape=`\nRUN a \\\n b\n").unwrap();
    assert_eq!(df.escape, '\\');
    assert!(parse("# escape=`\n# escape=\\\nFROM a\n").is_err());
    assert!(parse("# escape=x\nFROM a\n").is_err());
}

#[test]
fn flags_are_unquoted_and_positioned() {
    let df = parse("FROM a\nCOPY --from=build --chown=\"1000:1000\" --link src dst\nRUN --mount=type=cache,target=/root/.cache --network=none pip install x\n").unwrap();
    let copy = &df.instructions[1];
    assert_eq!(
        copy.flag("chown").unwrap().value.as_deref(),
        Some("1000:1000")
    );
    assert_eq!(copy.flag("link").unwrap().value, None);
    assert_eq!(
        copy.flag("from").unwrap().span.start,
        Pos { line: 2, column: 6 }
    );
    assert_eq!(copy.words(), ["src", "dst"]);
    assert_eq!(
        copy.args_position(),
        Pos {
            line: 2,
            column: 46
        }
    );
    let run = &df.instructions[2];
    assert_eq!(
        run.flag_values("mount").collect::<Vec<_>>(),
        ["type=cache,target=/root/.cache"]
    );
    assert_eq!(run.text(), Some("pip install x"));
}

#[test]
fn json_fallback_and_errors() {
    let df = parse("FROM a\nCMD [\"a\", 'b']\nENTRYPOINT [\"x\"]\n").unwrap();
    assert!(matches!(df.instructions[1].args, Args::Text(_)));
    assert!(matches!(df.instructions[2].args, Args::Json(_)));
    assert!(parse("FROM a\nCMD [\"a\", 1]\n").is_err());
}

#[test]
fn onbuild_unknown_and_env_forms() {
    let df = parse("FROM a\nONBUILD RUN make\nFOO bar\nENV A 1 2\nENV B=1 C=\"x y\"\n").unwrap();
    let Args::Sub(sub) = &df.instructions[1].args else {
        panic!()
    };
    assert!(sub.is("run"));
    assert_eq!(df.instructions[2].args, Args::Ignored);
    let Args::Pairs(p) = &df.instructions[3].args else {
        panic!()
    };
    assert_eq!((p[0].key.as_str(), p[0].value.as_str()), ("A", "1 2"));
    let Args::Pairs(p) = &df.instructions[4].args else {
        panic!()
    };
    assert_eq!(p[1].value, "\"x y\"");
    assert!(parse("FROM a\nENV A=1 B\n").is_err());
    assert!(parse("FROM a\nENV A\n").is_err());
}

#[test]
fn hostile_inputs_give_errors_not_panics() {
    assert!(
        parse_bytes(b"\x7fELF\x02\x01\x01\0\0\0")
            .unwrap_err()
            .message
            .contains("binary")
    );
    let df = parse_bytes(b"FROM a\nRUN echo \xff\xfe\n").unwrap();
    assert!(df.instructions[1].text().unwrap().contains('\u{fffd}'));
    let long = format!("FROM a\nRUN echo {}\n", "x".repeat(200_000));
    assert!(
        parse(&long)
            .unwrap_err()
            .message
            .contains("max allowed size")
    );
    assert!(parse("").is_err());
    assert!(parse("# only a comment\n\n").is_err());
    assert!(parse("\u{feff}FROM a\n").is_ok());
    // A lone escape continues into nothing: BuildKit keeps an empty
    // instruction (which the builder then rejects as unknown).
    let df = parse("FROM a\n\\\n\\\n").unwrap();
    assert_eq!(df.instructions.len(), 2);
    assert_eq!(df.instructions[1].keyword, "");
}

#[test]
fn pragmas_are_collected() {
    let df = parse("FROM a\n# hadolint ignore=DL3008,DL3015 # reason\nRUN apt-get install x\n# palisade ignore=PAL-DF-001\nUSER root\n").unwrap();
    assert_eq!(
        df.pragmas[0],
        (2, vec!["DL3008".to_string(), "DL3015".to_string()])
    );
    assert_eq!(df.pragmas[1], (4, vec!["PAL-DF-001".to_string()]));
}
