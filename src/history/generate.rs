//! Realistic history for benchmarks and demos: `fill` writes N completed updates spread over
//! three years (agents, call ids and phones, outcomes, values, metadata, the usual mix of
//! results). Used by `examples/fill_history.rs`; never by the program itself.

use rusqlite::params;

use super::{Result, Store};

const AGENTS: &[&str] = &[
    "agent123",
    "agent-sales-west",
    "agent-clinic-bookings",
    "agent-support-eu",
    "agent-renewals",
    "agent-outbound-7",
];
const OUTCOMES: &[&str] = &[
    "Sold",
    "No Sale",
    "Appointment Completed",
    "Appointment No-Show",
    "Qualified Lead",
    "Follow-Up Required",
    "Escalated Successfully",
];
const CAMPAIGNS: &[&str] = &[
    "spring_2026",
    "summer_2026",
    "renewal_q3",
    "winback",
    "referral",
];
const NOTES: &[&str] = &[
    "Customer was very interested",
    "Price too high",
    "Asked for a callback next week",
    "Booked through the web form afterwards",
    "Wrong number",
    "Spoke to the office manager",
];
const OPERATORS: &[&str] = &["sam", "alex", "jordan", "priya", "li"];

/// A small deterministic generator (xorshift64*), so runs are repeatable without a crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % (n as u64)).unwrap_or(0)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// Appends `rows` completed updates ending at `end_ms`, newest last (so ids grow with time).
pub fn fill(store: &Store, rows: usize, end_ms: i64, seed: u64) -> Result<()> {
    const THREE_YEARS_MS: i64 = 3 * 365 * 24 * 3600 * 1000;
    let mut rng = Rng(seed | 1);
    let start = end_ms - THREE_YEARS_MS;
    let step = THREE_YEARS_MS / i64::try_from(rows.max(1)).unwrap_or(1);
    let conn = &store.conn;
    let tx = conn.unchecked_transaction()?;
    {
        let mut stmt = tx.prepare(
            "INSERT INTO updates (session, operator, profile, base_url, agent, target, \
             target_kind, preference, outcome, value, metadata, method, url, body, state, \
             created_ms, sent_ms, completed_ms, http_status, latency_ms, verified, \
             resolved_call_id, message, response_body, response_truncated, response_cap) \
             VALUES ('generated', ?1, ?2, 'https://app.phonely.ai', ?3, ?4, ?5, ?6, ?7, ?8, ?9, \
             'PATCH', ?10, ?11, ?12, ?13, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, 0, 1048576)",
        )?;
        for i in 0..rows {
            let agent = rng.pick(AGENTS);
            let by_phone = rng.below(3) == 0;
            let (target, kind, preference) = if by_phone {
                let phone = format!("+1{}{:07}", 200 + rng.below(799), rng.below(10_000_000));
                let pref = if rng.below(5) == 0 { "first" } else { "last" };
                (phone, "phone", Some(pref))
            } else {
                (
                    format!("call{:08x}", rng.next() & 0xffff_ffff),
                    "call",
                    None,
                )
            };
            let outcome = rng.pick(OUTCOMES);
            let value = match outcome {
                "Sold" => Some((49 + rng.below(950)).to_string()),
                "No Sale" | "Appointment No-Show" => Some("0".to_string()),
                _ => None,
            };
            let metadata = (rng.below(3) != 0).then(|| {
                serde_json::json!({
                    "campaign": rng.pick(CAMPAIGNS),
                    "rep_id": format!("{}", 10_000 + rng.below(90_000)),
                    "notes": rng.pick(NOTES),
                })
                .to_string()
            });
            let mut body = serde_json::Map::new();
            body.insert("custom_call_outcome".into(), outcome.into());
            if let Some(v) = &value {
                body.insert(
                    "custom_call_outcome_value".into(),
                    serde_json::from_str(v).unwrap_or_default(),
                );
            }
            if let Some(m) = &metadata {
                body.insert(
                    "custom_call_metadata".into(),
                    serde_json::from_str(m).unwrap_or_default(),
                );
            }
            let body = serde_json::Value::Object(body).to_string();
            let url = match preference {
                Some(p) => {
                    format!("https://app.phonely.ai/api/calls/{agent}/{target}?preference={p}")
                }
                None => format!("https://app.phonely.ai/api/calls/{agent}/{target}"),
            };
            let created = start + step * i64::try_from(i).unwrap_or(0);
            let latency = i64::try_from(80 + rng.below(400)).unwrap_or(100);
            let roll = rng.below(100);
            let call_id = if by_phone {
                format!("call{:08x}", rng.next() & 0xffff_ffff)
            } else {
                target.clone()
            };
            let (state, status, verified, resolved, message, response) = match roll {
                0..=89 => (
                    "ok",
                    Some(200),
                    true,
                    Some(call_id.clone()),
                    "Updated".to_string(),
                    Some(format!(
                        r#"{{"success":true,"call_id":"{call_id}","agent_id":"{agent}","updated_fields":["custom_call_outcome"]}}"#
                    )),
                ),
                90..=95 => (
                    "refused",
                    Some(404),
                    false,
                    None,
                    format!("HTTP 404 Not Found: Call {target} not found"),
                    Some(r#"{"error":"call_not_found","message":"Call not found"}"#.to_string()),
                ),
                96..=97 => (
                    "network_error",
                    None,
                    false,
                    None,
                    "Could not connect: nothing was sent; safe to try again".to_string(),
                    None,
                ),
                98 => (
                    "cancelled",
                    None,
                    false,
                    None,
                    "Cancelled".to_string(),
                    None,
                ),
                _ => (
                    "unknown",
                    None,
                    false,
                    None,
                    "No answer within 15 s".to_string(),
                    None,
                ),
            };
            stmt.execute(params![
                rng.pick(OPERATORS),
                if rng.below(10) == 0 {
                    "staging"
                } else {
                    "production"
                },
                agent,
                target,
                kind,
                preference,
                outcome,
                value,
                metadata,
                url,
                body,
                state,
                created,
                created + latency,
                status,
                latency,
                verified,
                resolved,
                message,
                response,
            ])?;
        }
    }
    tx.commit()?;
    Ok(())
}
