//! The keys each result interface of the API declares (`genlab::schema::RESULT_TYPES`), for
//! the tests that compare them with the keys of what Rust really returns.

/// The keys interface `name` declares, sorted (optional ones included); panics if it has none.
pub fn interface_keys(name: &str) -> Vec<String> {
    let opening = format!("export interface {name} {{");
    let text = genlab::schema::RESULT_TYPES;
    let start = text
        .find(&opening)
        .unwrap_or_else(|| panic!("no interface {name} in the result types"))
        + opening.len();
    let mut depth = 1;
    let mut keys = Vec::new();
    let mut comment = false;
    for line in text[start..].lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("/**") || trimmed.starts_with('*') || comment {
            comment = !trimmed.ends_with("*/") && (comment || !trimmed.contains("*/"));
            continue;
        }
        if depth == 1 {
            let key: String = trimmed
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !key.is_empty() && trimmed[key.len()..].trim_start().starts_with(['?', ':']) {
                keys.push(key);
            }
        }
        depth += trimmed.matches('{').count();
        depth -= trimmed.matches('}').count();
        if depth == 0 {
            break;
        }
    }
    assert!(!keys.is_empty(), "interface {name} declares no keys");
    keys.sort();
    keys
}
