//! PAL-DF-029: COPY --from names no earlier stage.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-029",
    title: "COPY --from names no earlier stage",
    severity: Severity::Low,
    rationale: r#"`COPY --from=name` where no earlier stage is called name pulls an image of that name from a registry, which is rarely what was meant."#,
    fix: r#"Name the stage (`FROM … AS build`) before copying from it, or give a full image reference."#,
    bad: r#"FROM golang:1.23
RUN go build -o /app
FROM alpine:3.20
COPY --from=build /app /app
"#,
    good: r#"FROM golang:1.23 AS build
RUN go build -o /app
FROM alpine:3.20
COPY --from=build /app /app
"#,
    peer_ids: &["DL3022"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        // Names of the stages before the current one.
        let mut earlier_names = std::collections::HashSet::new();
        for (k, st) in cx.stages.iter().enumerate() {
            for i in st.instructions.clone() {
                let ins = &cx.df.instructions[i];
                if !ins.is("copy") {
                    continue;
                }
                let Some(from) = ins.flag("from").and_then(|f| f.value.as_deref()) else {
                    continue;
                };
                let lower = from.to_lowercase();
                let earlier = earlier_names.contains(lower.as_str());
                let index = from.parse::<usize>().is_ok_and(|n| n < k);
                let image = from.contains(':')
                    || from.contains('/')
                    || from.contains('$')
                    || from.contains('@');
                let own = st.name.as_deref() == Some(lower.as_str());
                if !(earlier || index || image || own) {
                    out.push(cx.at(
                        &DOC,
                        i,
                        format!("COPY --from={from}: no earlier stage has this name"),
                    ));
                }
            }
            if let Some(n) = &st.name {
                earlier_names.insert(n.as_str());
            }
        }
    }
}
