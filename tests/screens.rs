//! View snapshots over `TestBackend`: one per screen state the issue names.

mod common;

use common::{answered, app, fill_example1, record, screen, type_text};
use phonely_outcomes::api::client::{Completion, HttpResponse};
use phonely_outcomes::api::key::{Credentials, KeySource};
use phonely_outcomes::tui::action::{
    Action, FormAction, HistoryAction, PaletteAction, QueueAction, RequestId, SendAction,
};
use phonely_outcomes::tui::app::{App, Focus};
use phonely_outcomes::tui::update::update;

const OK_BODY: &str = r#"{"success":true,"call_id":"call456","agent_id":"agent123","phone":"+14155550100","preference":null,"updated_fields":["custom_call_outcome","custom_call_outcome_value","custom_call_metadata"]}"#;

fn sent(completion: Option<Completion>) -> App {
    let mut a = app();
    fill_example1(&mut a);
    common::ctrl_s(&mut a);
    let effects = update(&mut a, Action::Send(SendAction::Confirm));
    assert_eq!(effects.len(), 1);
    let id = RequestId(1);
    let pending = record(&a, None);
    update(
        &mut a,
        Action::Send(SendAction::Recorded {
            id,
            record: pending,
        }),
    );
    if let Some(c) = completion {
        let done = record(&a, Some(c));
        update(
            &mut a,
            Action::Send(SendAction::Finished { id, record: done }),
        );
    }
    a
}

#[test]
fn empty_form() {
    insta::assert_snapshot!(screen(&app(), 120, 32));
}

#[test]
fn invalid_form() {
    let mut a = app();
    type_text(&mut a, "agent 123");
    update(&mut a, Action::FocusNext);
    type_text(&mut a, "415 5555");
    update(&mut a, Action::FocusNext);
    update(&mut a, Action::FocusNext);
    type_text(&mut a, "Sold");
    update(&mut a, Action::FocusNext);
    type_text(&mut a, "1,29");
    update(&mut a, Action::FocusNext);
    type_text(&mut a, "{\n  \"campaign\": spring\n}");
    let s = screen(&a, 120, 32);
    assert!(s.contains("too short for US"), "{s}");
    assert!(s.contains("comma that does not"), "{s}");
    assert!(s.contains("line 2, column 15"), "{s}");
    insta::assert_snapshot!(s);
}

#[test]
fn valid_form_shows_the_exact_request() {
    let mut a = app();
    fill_example1(&mut a);
    let s = screen(&a, 120, 32);
    assert!(
        s.contains("PATCH http://127.0.0.1:8787/api/calls/agent123/call456"),
        "{s}"
    );
    assert!(s.contains("X-Authorization: •••••••• (sandbox key)"), "{s}");
    assert!(!s.contains("sandbox-key"), "the key itself never shows");
    insta::assert_snapshot!(s);
}

#[test]
fn confirmation() {
    let mut a = app();
    fill_example1(&mut a);
    common::ctrl_s(&mut a);
    insta::assert_snapshot!(screen(&a, 120, 32));
}

#[test]
fn in_flight() {
    let mut a = sent(None);
    update(
        &mut a,
        Action::Send(SendAction::Tick {
            id: RequestId(1),
            elapsed: std::time::Duration::from_millis(1300),
        }),
    );
    let s = screen(&a, 120, 32);
    assert!(s.contains("Sending call456"), "{s}");
    assert!(s.contains("1.3 s (Esc cancels)"), "{s}");
    insta::assert_snapshot!(s);
}

/// The first Ctrl+Q during a send warns: the warning must be on screen (not under the
/// spinner), and the footer must say what Ctrl+Q does now.
#[test]
fn a_first_ctrl_q_during_a_send_is_seen() {
    let mut a = sent(None);
    let before = screen(&a, 120, 32);
    assert!(before.contains("^Q quit"), "{before}");
    update(&mut a, Action::Quit);
    assert!(!a.should_quit);
    for (w, h) in [(120, 32), (80, 24)] {
        let s = screen(&a, w, h);
        assert!(s.contains("Ctrl+Q again quits now"), "{w}×{h}: {s}");
        assert!(
            s.contains("Sending call456"),
            "the send is still shown: {s}"
        );
        assert!(s.contains("^Q quit anyway"), "{w}×{h}: {s}");
    }
    // Anything else the person does disarms it; the footer goes back.
    update(&mut a, Action::FocusNext);
    let s = screen(&a, 120, 32);
    assert!(!s.contains("quit anyway"), "{s}");
    assert!(!s.contains("Ctrl+Q again"), "{s}");
}

/// Once the send a first Ctrl+Q warned about has finished, nothing is left to quit "anyway":
/// the footer goes back to "^Q quit".
#[test]
fn the_footer_stops_saying_quit_anyway_once_the_send_is_over() {
    let mut a = sent(None);
    update(&mut a, Action::Quit);
    assert!(screen(&a, 120, 32).contains("^Q quit anyway"));
    let done = record(&a, Some(answered(404, r#"{"success":false}"#)));
    update(
        &mut a,
        Action::Send(SendAction::Finished {
            id: RequestId(1),
            record: done,
        }),
    );
    assert!(a.in_flight.is_none());
    let s = screen(&a, 120, 32);
    assert!(s.contains("^Q quit"), "{s}");
    assert!(
        !s.contains("quit anyway"),
        "nothing is in flight any more: {s}"
    );
}

#[test]
fn success() {
    let s = screen(&sent(Some(answered(200, OK_BODY))), 120, 32);
    assert!(s.contains("✓ Updated call456 (HTTP 200, 42 ms)"), "{s}");
    insta::assert_snapshot!(s);
}

#[test]
fn api_refusal() {
    let s = screen(
        &sent(Some(answered(
            404,
            r#"{"error":"call_not_found","message":"Call call456 not found for agent agent123"}"#,
        ))),
        120,
        32,
    );
    assert!(
        s.contains("✗ Refused: HTTP 404 Not Found: Call call456 not found"),
        "{s}"
    );
    insta::assert_snapshot!(s);
}

#[test]
fn network_failure() {
    let s = screen(
        &sent(Some(Completion::NotSent(
            "Could not connect (error sending request for url (http://127.0.0.1:8787/api/calls/agent123/call456)): nothing was sent; safe to try again".into(),
        ))),
        120,
        32,
    );
    assert!(s.contains("no response"), "{s}");
    insta::assert_snapshot!(s);
}

#[test]
fn history_detail() {
    let mut a = sent(Some(answered(200, OK_BODY)));
    update(&mut a, Action::Focus(Focus::History));
    update(&mut a, Action::History(HistoryAction::OpenDetail));
    let top = screen(&a, 120, 32);
    assert!(top.contains("By        sam (profile sandbox)"), "{top}");
    update(&mut a, Action::ModalScroll(18));
    let s = screen(&a, 120, 32);
    assert!(s.contains("Response"), "{s}");
    assert!(s.contains("\"updated_fields\""), "{s}");
    insta::assert_snapshot!(s);
}

#[test]
fn narrow_80x24_form() {
    let mut a = app();
    fill_example1(&mut a);
    let s = screen(&a, 80, 24);
    assert!(
        s.contains("more line(s)"),
        "overflow is marked, not silent:\n{s}"
    );
    insta::assert_snapshot!(s);
}

#[test]
fn narrow_80x24_history() {
    let mut a = sent(Some(answered(200, OK_BODY)));
    update(&mut a, Action::Focus(Focus::History));
    insta::assert_snapshot!(screen(&a, 80, 24));
}

#[test]
fn too_small() {
    let s = screen(&app(), 50, 10);
    assert!(s.contains("too small"), "{s}");
}

#[test]
fn help() {
    let mut a = app();
    update(&mut a, Action::OpenHelp);
    insta::assert_snapshot!(screen(&a, 120, 32));
}

#[test]
fn no_key() {
    let mut a = App::new(common::settings(
        "https://app.phonely.ai",
        Credentials {
            key: None,
            source: KeySource::Env("PHONELY_API_KEY".into()),
            problem: None,
        },
    ));
    a.settings.sandbox = false;
    a.profile = phonely_outcomes::tui::profiles::fallback_tag(false, &a.settings.base_url);
    a.history.loading = false;
    fill_example1(&mut a);
    common::ctrl_s(&mut a);
    let s = screen(&a, 120, 32);
    assert!(s.contains("No API key: set PHONELY_API_KEY"), "{s}");
    assert!(s.contains("LIVE"), "{s}");
    insta::assert_snapshot!(s);
}

#[test]
fn help_scrolls_on_a_small_screen() {
    let mut a = app();
    update(&mut a, Action::OpenHelp);
    let top = screen(&a, 80, 24);
    assert!(top.contains("↑↓ scroll"), "{top}");
    assert!(!top.contains("full request and response"), "{top}");
    update(&mut a, Action::ModalScroll(200));
    let bottom = screen(&a, 80, 24);
    assert!(bottom.contains("full request and response"), "{bottom}");
}

#[test]
fn a_capped_body_is_stated_in_the_detail() {
    let mut app = common::app();
    common::fill_example1(&mut app);
    let body = format!(
        "{{\"success\":true,\"padding\":\"{}",
        "x".repeat(phonely_outcomes::api::client::BODY_CAP - 30)
    );
    let record = common::record(
        &app,
        Some(Completion::Answered(HttpResponse {
            status: 200,
            body,
            truncated: true,
            retry_after: None,
        })),
    );
    app.history.upsert(record);
    update(&mut app, Action::History(HistoryAction::OpenDetail));
    let screen = common::screen(&app, 120, 32);
    assert!(
        screen.contains("(the body was longer than 1 MiB: only the first 1 MiB was kept)"),
        "{screen}"
    );
    assert!(
        screen.contains("(showing the first 16 KiB of 1024 KiB kept;"),
        "{screen}"
    );
}

fn buffer(app: &App, width: u16, height: u16) -> ratatui::buffer::Buffer {
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|f| phonely_outcomes::tui::view::view(app, f))
        .unwrap();
    terminal.backend().buffer().clone()
}

#[test]
fn outcome_pick_list() {
    let mut a = app();
    a.outcome_labels = vec![("Callback Booked".into(), 12), ("Sold".into(), 40)];
    type_text(&mut a, "agent123");
    update(&mut a, Action::FocusNext);
    type_text(&mut a, "(415) 555-1234");
    update(&mut a, Action::Focus(Focus::Outcome));
    type_text(&mut a, "s");
    let s = screen(&a, 120, 32);
    assert!(s.contains("→ sent as +14155551234"), "{s}");
    assert!(s.contains("Tab takes"), "{s}");
    insta::assert_snapshot!(s);
}

#[test]
fn outcome_near_miss_and_pasted_value() {
    let mut a = app();
    type_text(&mut a, "agent123");
    update(&mut a, Action::FocusNext);
    type_text(&mut a, "call456");
    update(&mut a, Action::Focus(Focus::Outcome));
    type_text(&mut a, "SOLD");
    update(&mut a, Action::Form(FormAction::OutcomeClose));
    update(&mut a, Action::Focus(Focus::Value));
    type_text(&mut a, "$1,299.00");
    let s = screen(&a, 120, 32);
    assert!(s.contains("did you mean Sold?"), "{s}");
    assert!(s.contains("→ sent as 1299.0"), "{s}");
    insta::assert_snapshot!(s);
}

#[test]
fn command_palette() {
    let mut a = app();
    update(&mut a, Action::Palette(PaletteAction::Open));
    for c in "copy".chars() {
        update(&mut a, Action::Palette(PaletteAction::Type(c)));
    }
    let s = screen(&a, 120, 32);
    assert!(s.contains("Copy the selected update's call id"), "{s}");
    assert!(!s.contains("New form"), "{s}");
    insta::assert_snapshot!(s);
}

#[test]
fn metadata_template_picker() {
    let mut a = app();
    a.settings.prefs.metadata_templates = vec![
        ("callback".into(), r#"{"rep_id": "", "notes": ""}"#.into()),
        ("sale".into(), r#"{"campaign": "spring_2026"}"#.into()),
    ];
    update(&mut a, Action::Form(FormAction::InsertTemplate));
    insta::assert_snapshot!(screen(&a, 120, 32));
}

/// The metadata editor colours JSON and marks where the parser stopped.
#[test]
fn metadata_colours_and_error_mark() {
    use ratatui::style::Color;
    let mut a = app();
    update(&mut a, Action::Focus(Focus::Metadata));
    update(
        &mut a,
        Action::Paste("{\n  \"campaign\": spring,\n  \"n\": 5\n}".into()),
    );
    let b = buffer(&a, 120, 32);
    let text = common::buffer_text(&b);
    let (row, line) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("\"campaign\""))
        .unwrap();
    let col = line.chars().position(|c| c == '"').unwrap();
    let row = u16::try_from(row).unwrap();
    let col = u16::try_from(col).unwrap();
    assert_eq!(b[(col, row)].fg, Color::Cyan, "keys are cyan");
    // `spring` is where the parser stopped: its first letter is marked.
    let s_col = col + u16::try_from("\"campaign\": ".len()).unwrap();
    assert_eq!(b[(s_col, row)].symbol(), "s");
    assert_eq!(
        b[(s_col, row)].bg,
        Color::Red,
        "the error's place is marked"
    );
    // Fixed, the mark goes and values are coloured by kind.
    let mut a = app();
    update(&mut a, Action::Focus(Focus::Metadata));
    update(
        &mut a,
        Action::Paste("{\"campaign\": \"spring\", \"n\": 5, \"ok\": true}".into()),
    );
    let b = buffer(&a, 120, 32);
    let text = common::buffer_text(&b);
    let (row, line) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("\"campaign\": \"spring\""))
        .unwrap();
    let at = |needle: &str| {
        let byte = line.find(needle).unwrap();
        let col = line[..byte].chars().count();
        &b[(u16::try_from(col).unwrap(), u16::try_from(row).unwrap())]
    };
    assert_eq!(at("\"spring\"").fg, Color::Green);
    assert_eq!(at("5").fg, Color::Magenta);
    assert_eq!(at("true").fg, Color::Yellow);
    assert!(b.content.iter().all(|c| c.bg != Color::Red));
}

/// NO_COLOR: not one coloured cell anywhere, on any screen; meaning stays through emphasis.
#[test]
fn no_color_means_no_colour() {
    use ratatui::style::{Color, Modifier};
    let mut screens = vec![sent(Some(answered(404, r#"{"message":"Call not found"}"#)))];
    let mut invalid = app();
    type_text(&mut invalid, "agent 123");
    screens.push(invalid);
    let mut palette = app();
    update(&mut palette, Action::Palette(PaletteAction::Open));
    screens.push(palette);
    for mut a in screens {
        a.settings.prefs.no_color = true;
        let b = buffer(&a, 120, 32);
        for cell in &b.content {
            assert_eq!(
                (cell.fg, cell.bg),
                (Color::Reset, Color::Reset),
                "{:?}",
                cell.symbol()
            );
        }
        // The profile badge is still set apart.
        assert!(
            b.content
                .iter()
                .any(|c| c.modifier.contains(Modifier::REVERSED))
        );
    }
}

#[test]
fn light_theme_has_no_cyan_or_yellow_text() {
    use ratatui::style::Color;
    let mut a = sent(Some(answered(200, OK_BODY)));
    a.settings.prefs.theme = phonely_outcomes::config::Theme::Light;
    let b = buffer(&a, 120, 32);
    assert!(
        b.content
            .iter()
            .all(|c| !matches!(c.fg, Color::Cyan | Color::Yellow | Color::White))
    );
}

#[test]
fn batch_queue() {
    let mut a = app();
    let csv = "agent_id,target,outcome,value\nagent123,call456,Sold,299\nagent123,call1003,Sold,150\nagent123,415 5555,Sold,10\nagent123,call456,Follow-Up Required,\n";
    let columns = phonely_outcomes::batch::ColumnMap::default();
    let (entries, _) = phonely_outcomes::batch::entries("fixes.csv", csv.as_bytes(), &columns);
    update(
        &mut a,
        Action::Queue(QueueAction::Loaded {
            file: "fixes.csv".into(),
            entries,
            errors: Vec::new(),
        }),
    );
    update(&mut a, Action::Queue(QueueAction::Move(1)));
    update(&mut a, Action::Queue(QueueAction::ToggleExclude));
    let s = screen(&a, 120, 32);
    assert!(s.contains("Queue: fixes.csv"), "{s}");
    assert!(s.contains("excluded 1"), "{s}");
    insta::assert_snapshot!(s);
    // 80×24: the queue is a tab of its own.
    let narrow = screen(&a, 80, 24);
    assert!(narrow.contains(" Queue (4) "), "{narrow}");
    assert!(narrow.contains("Line"), "{narrow}");
}

/// Wide characters take two cells: the colours after them stay on their own characters.
#[test]
fn metadata_colours_after_wide_characters() {
    use ratatui::style::Color;
    let mut a = app();
    update(&mut a, Action::Focus(Focus::Metadata));
    update(&mut a, Action::Paste(r#"{"名前": 12, "b": true}"#.into()));
    let b = buffer(&a, 120, 32);
    let text = common::buffer_text(&b);
    let (row, line) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("12, "))
        .unwrap();
    // The text has one character per cell (a wide character's second cell reads as a space).
    let cells = |needle: &str| {
        let byte = line.find(needle).unwrap();
        u16::try_from(line[..byte].chars().count()).unwrap()
    };
    let row = u16::try_from(row).unwrap();
    assert_eq!(b[(cells("12"), row)].fg, Color::Magenta, "{line}");
    assert_eq!(b[(cells("true"), row)].fg, Color::Yellow, "{line}");
    assert_ne!(b[(cells(": 12"), row)].fg, Color::Magenta, "{line}");
}

#[test]
fn key_value_lines_are_offered_as_json() {
    let mut a = app();
    update(&mut a, Action::Focus(Focus::Metadata));
    update(
        &mut a,
        Action::Paste("campaign=spring_2026\nnotes=Customer called back".into()),
    );
    let s = screen(&a, 120, 32);
    assert!(s.contains("key=value lines: ^S or ^O make JSON"), "{s}");
    update(&mut a, Action::Form(FormAction::FormatMetadata));
    let s = screen(&a, 120, 32);
    assert!(s.contains("✓ JSON object, 2 keys"), "{s}");
}

#[test]
fn metadata_template_inserted() {
    let mut a = app();
    a.settings.prefs.metadata_templates =
        vec![("callback".into(), r#"{"rep_id": "", "notes": ""}"#.into())];
    update(&mut a, Action::Form(FormAction::InsertTemplate));
    let s = screen(&a, 120, 32);
    assert!(s.contains("Template callback inserted"), "{s}");
    assert!(s.contains(r#""rep_id": "","#), "{s}");
    insta::assert_snapshot!(s);
}

/// The light theme as a snapshot: the text, then each distinct colour pair of the status
/// lines and the production badge, which must stay a warning in every theme.
#[test]
fn light_theme_and_no_color_keep_the_production_warning() {
    use ratatui::style::{Color, Modifier};
    let mut a = sent(Some(answered(200, OK_BODY)));
    a.profile.kind = phonely_outcomes::config::Kind::Production;
    a.profile.name = "production".into();
    a.settings.prefs.theme = phonely_outcomes::config::Theme::Light;
    let b = buffer(&a, 120, 32);
    let text = common::buffer_text(&b);
    let (row, line) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains(" PRODUCTION "))
        .expect("the badge");
    let col = line[..line.find(" PRODUCTION ").unwrap()].chars().count() + 1;
    let badge = &b[(u16::try_from(col).unwrap(), u16::try_from(row).unwrap())];
    assert_eq!(badge.bg, Color::Red, "light keeps the red badge");
    let mut colours: Vec<String> = b
        .content
        .iter()
        .map(|c| format!("{:?} on {:?}", c.fg, c.bg))
        .collect();
    colours.sort();
    colours.dedup();
    insta::assert_snapshot!(format!(
        "{text}\n--- colours in use ---\n{}",
        colours.join("\n")
    ));
    a.settings.prefs.no_color = true;
    let b = buffer(&a, 120, 32);
    let badge = &b[(u16::try_from(col).unwrap(), u16::try_from(row).unwrap())];
    assert_eq!(badge.bg, Color::Reset);
    assert!(
        badge.modifier.contains(Modifier::REVERSED | Modifier::BOLD),
        "NO_COLOR: the badge is reversed and bold"
    );
}

/// The duplicate question's footer and dialog say the same words for the same keys.
#[test]
fn the_duplicate_question_says_the_same_in_the_footer_and_the_dialog() {
    let mut a = app();
    fill_example1(&mut a);
    let earlier = record(&a, Some(answered(200, OK_BODY)));
    let effects = update(&mut a, Action::Send(SendAction::Request));
    let [phonely_outcomes::tui::effect::Effect::PrepareSend { ready, .. }] = effects.as_slice()
    else {
        panic!("{effects:?}")
    };
    let c = phonely_outcomes::tui::update::confirmation((**ready).clone(), Some(earlier), None);
    update(&mut a, Action::Send(SendAction::ConfirmReady(c)));
    let s = screen(&a, 120, 32);
    assert!(!s.contains("I see it was sent"), "{s}");
    assert_eq!(s.matches("yes, go on").count(), 2, "dialog and footer: {s}");
    assert_eq!(s.matches("Enter/y").count(), 2, "dialog and footer: {s}");
}

/// `key=value` metadata sent without Ctrl+O: the confirmation shows the JSON it became.
#[test]
fn key_value_metadata_is_shown_as_json_in_the_confirmation() {
    let mut a = app();
    type_text(&mut a, "agent123");
    update(&mut a, Action::FocusNext);
    type_text(&mut a, "call456");
    update(&mut a, Action::Focus(Focus::Metadata));
    type_text(&mut a, "campaign=spring_2026\nrep_id=12345");
    common::ctrl_s(&mut a);
    let s = screen(&a, 120, 32);
    assert!(s.contains("Send this update?"), "{s}");
    assert!(s.contains("key=value lines sent as JSON"), "{s}");
    assert!(
        s.contains(r#"{"campaign":"spring_2026","rep_id":"12345"}"#),
        "{s}"
    );
}

/// key=value metadata is sent as JSON by Ctrl+S (item 11), so the preview must not say "Not
/// ready to send" over it, and the form's line names Ctrl+S as well as Ctrl+O.
#[test]
fn key_value_metadata_is_not_called_unready() {
    let mut a = app();
    type_text(&mut a, "agent123");
    update(&mut a, Action::FocusNext);
    type_text(&mut a, "call456");
    update(&mut a, Action::Focus(Focus::Metadata));
    update(&mut a, Action::Paste("campaign=spring_2026".into()));
    for (w, h) in [(120, 32), (80, 24)] {
        let s = screen(&a, w, h);
        assert!(!s.contains("Not ready to send"), "{w}×{h}: {s}");
        assert!(!s.contains("is not valid JSON"), "{w}×{h}: {s}");
        assert!(s.contains("Ctrl+S"), "{w}×{h}: {s}");
    }
    // With something else to fix, that is still said.
    update(&mut a, Action::Focus(Focus::Value));
    type_text(&mut a, "abc");
    let s = screen(&a, 120, 32);
    assert!(s.contains("Not ready to send"), "{s}");
    assert!(s.contains("Value is not a number"), "{s}");
}

/// The path prompt's dialog names the same keys as the footer (^U clear was only in the
/// footer).
#[test]
fn the_path_prompt_dialog_and_footer_name_the_same_keys() {
    let mut a = app();
    update(&mut a, Action::Queue(QueueAction::OpenPrompt));
    let s = screen(&a, 120, 32);
    let dialog_keys = s
        .lines()
        .find(|l| l.contains("║") && l.contains("Enter") && l.contains("Esc"))
        .unwrap_or_else(|| panic!("no key line in the dialog: {s}"));
    for (key, what) in phonely_outcomes::tui::keymap::hints(&a) {
        if key.starts_with("type") {
            continue;
        }
        assert!(
            dialog_keys.contains(&format!("{key}  {what}")),
            "{key} {what} missing from the dialog: {dialog_keys}"
        );
    }
}

/// The form with agent123 and +14155551234 and the sandbox's three calls from that number
/// listed (as the runtime's look-up would answer), the list focused.
fn with_calls_listed() -> App {
    use phonely_outcomes::tui::action::CallsAction;
    use phonely_outcomes::tui::calls::Fetched;
    let mut a = app();
    type_text(&mut a, "agent123");
    update(&mut a, Action::FocusNext);
    type_text(&mut a, "+14155551234");
    update(&mut a, Action::FocusNext);
    update(&mut a, Action::FocusNext);
    type_text(&mut a, "Sold");
    let generation = a.calls.generation;
    update(&mut a, Action::Calls(CallsAction::Due(generation)));
    let page = phonely_outcomes::api::calls::parse_page(
        r#"{"items":[
        {"id":"call-first-415","customer_phone_number":"+14155551234","started_at":"2026-11-02T09:12:00Z","duration":194,"status":"COMPLETED","type":"inboundPhoneCall","c_outcome":"Appointment booked"},
        {"id":"call-last-415","customer_phone_number":"+14155551234","started_at":"2026-12-03T10:42:00Z","duration":185,"status":"COMPLETED","type":"inboundPhoneCall","c_outcome":"Transferred"},
        {"id":"call-mid-415","customer_phone_number":"+14155551234","started_at":"2026-12-02T18:05:00Z","duration":706,"status":"FAILED","type":"outboundPhoneCall"}
        ],"total":3}"#,
    )
    .unwrap();
    update(
        &mut a,
        Action::Calls(CallsAction::Answered {
            generation,
            outcome: Ok(Fetched {
                calls: page.items,
                total: page.total,
            }),
            at: time::macros::datetime!(2026-12-03 12:45 UTC),
        }),
    );
    update(&mut a, Action::Focus(Focus::Calls));
    a
}

#[test]
fn calls_list_wide_with_a_pinned_call() {
    use phonely_outcomes::tui::action::CallsAction;
    let mut a = with_calls_listed();
    update(&mut a, Action::Calls(CallsAction::Move(1)));
    update(&mut a, Action::Calls(CallsAction::TogglePin));
    let s = screen(&a, 120, 32);
    assert!(s.contains("/api/calls/agent123/call-mid-415"), "{s}");
    assert!(s.contains("pinned → call call-mid-415"), "{s}");
    insta::assert_snapshot!(s);
}

#[test]
fn calls_list_narrow_80x24() {
    let a = with_calls_listed();
    let s = screen(&a, 80, 24);
    assert!(s.contains("Calls from +14155551234"), "{s}");
    assert!(s.contains("last → call call-last-415"), "{s}");
    insta::assert_snapshot!(s);
}

/// The history pane's Team view with three colleagues' rows (one with an escape sequence in
/// its operator and outcome: drawn inert).
fn team_view() -> App {
    let mut a = sent(Some(answered(200, OK_BODY)));
    update(&mut a, Action::Focus(Focus::History));
    update(&mut a, Action::History(HistoryAction::ToggleTeam));
    let t0 = 1_795_602_720_000; // 2026-11-25 10:32:00 UTC
    let row = |op: &str, target: &str, ms: i64, state: &str| {
        let mut r = phonely_team::testing::pending_row(op, "agent123", target, ms);
        r.state = state.to_string();
        r.http_status = Some(if state == "ok" { 200 } else { 422 });
        r.verified = state == "ok";
        r.completed_ms = Some(ms + 40);
        if state != "ok" {
            r.message = Some("Unknown outcome label".to_string());
        }
        r
    };
    let mut phone = row("ben", "+14155550100", t0 - 60_000, "refused");
    phone.target_kind = "phone".to_string();
    phone.preference = Some("last".to_string());
    let mut hostile = row("eve\u{1b}[2J", "call9", t0 - 120_000, "ok");
    hostile.outcome = Some("Sold\u{1b}]0;x\u{7}".to_string());
    let generation = a.history.team_generation;
    update(
        &mut a,
        Action::History(HistoryAction::TeamLoaded {
            generation,
            first: true,
            rows: vec![row("ana", "call456", t0, "ok"), phone, hostile],
            exhausted: true,
        }),
    );
    a
}

#[test]
fn team_view_wide() {
    let s = screen(&team_view(), 120, 32);
    assert!(
        s.contains("Team history (3)") && s.contains("Operator"),
        "{s}"
    );
    assert!(!s.contains('\u{1b}'), "{s}");
    insta::assert_snapshot!(s);
}

#[test]
fn narrow_80x24_team_view() {
    let s = screen(&team_view(), 80, 24);
    assert!(
        s.contains("t this laptop"),
        "the footer names the way back:\n{s}"
    );
    insta::assert_snapshot!(s);
}

#[test]
fn narrow_80x24_team_view_not_set_up() {
    let mut a = sent(Some(answered(200, OK_BODY)));
    update(&mut a, Action::Focus(Focus::History));
    update(&mut a, Action::History(HistoryAction::ToggleTeam));
    let generation = a.history.team_generation;
    update(
        &mut a,
        Action::History(HistoryAction::TeamFailed {
            generation,
            message: phonely_outcomes::tui::runtime::TEAM_NOT_SET_UP.to_string(),
        }),
    );
    let s = screen(&a, 80, 24);
    assert!(s.contains("not set up on this computer"), "{s}");
    insta::assert_snapshot!(s);
}
