//! One call-log record with its legs, generated from a per-call seed.
//!
//! A record is a pure function of `(seed, side, start)` and the account, so the data set
//! keeps only those three per record and rebuilds the full record when a page is served.

use chrono::{DateTime, Duration, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Serialize, Serializer};

use crate::account::{Account, Extension};
use crate::pick::{digits, hex, normal, pick, pick_weighted};

/// Which record of a call session to build: most calls have one account-level record;
/// an internal call between two users may also have the callee's record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Side {
    Primary,
    Callee,
}

/// A money amount in thousandths, sent as a JSON number with up to 3 decimals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Money(pub u32);

impl Money {
    /// The exact JSON text this amount is sent as (what [`Serialize`] writes).
    pub fn json_text(self) -> String {
        serde_json::to_string(&self).unwrap_or_default()
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0 == 0 {
            s.serialize_u64(0)
        } else {
            // serde_json prints the shortest text that round-trips, e.g. 0.137, 1.2, 0.05.
            s.serialize_f64(f64::from(self.0) / 1000.0)
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Billing {
    pub cost_included: Money,
    pub cost_purchased: Money,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct Party {
    pub phone_number: Option<String>,
    pub extension_number: Option<String>,
    pub extension_id: Option<String>,
    pub name: Option<String>,
    pub location: Option<&'static str>,
}

#[derive(Clone, Debug)]
pub(crate) struct Recording {
    pub id: String,
    pub kind: &'static str,
}

#[derive(Clone, Debug)]
pub(crate) struct MessageRef {
    pub id: String,
    pub kind: &'static str,
    pub extension_id: i64,
}

#[derive(Clone, Debug)]
pub(crate) struct Leg {
    pub leg_type: &'static str,
    pub master: bool,
    pub start: DateTime<Utc>,
    pub duration_ms: u64,
    pub direction: &'static str,
    pub action: &'static str,
    pub result: Option<&'static str>,
    pub reason: Option<(&'static str, &'static str)>,
    pub from: Party,
    pub to: Party,
    pub extension_id: Option<i64>,
    pub transport: &'static str,
    pub billing: Option<Billing>,
    pub with_recording: bool,
    pub with_message: bool,
    pub extra_field: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct Call {
    pub session_id: String,
    pub telephony_session_id: String,
    pub party_id: String,
    pub sip_uuid_info: Option<String>,
    pub start: DateTime<Utc>,
    pub duration_ms: u64,
    pub send_duration_ms: bool,
    pub call_type: &'static str,
    pub direction: &'static str,
    pub action: &'static str,
    pub result: Option<&'static str>,
    pub reason: Option<(&'static str, &'static str)>,
    pub internal_type: Option<&'static str>,
    pub transport: &'static str,
    pub from: Party,
    pub to: Party,
    pub extension_id: Option<i64>,
    pub recording: Option<Recording>,
    pub short_recording: bool,
    pub billing: Option<Billing>,
    pub message: Option<MessageRef>,
    /// `delegate.id`, `delegate.name`, `delegationType`.
    pub delegate: Option<(String, String, &'static str)>,
    /// `transferTarget.telephonySessionId`, `transferee.telephonySessionId`.
    pub transfer: Option<(String, String)>,
    pub last_modified: DateTime<Utc>,
    pub deleted: bool,
    pub legs: Vec<Leg>,
    pub extra_fields: bool,
    /// Set on internal calls whose callee also gets a record (same session).
    pub has_callee_side: bool,
    callee_extension_id: Option<i64>,
}

impl Call {
    /// `(callerStatus, calleeStatus)` read from the RingOut legs as docs/api.md §9 says.
    pub fn ringout_results(&self) -> (Option<&'static str>, Option<&'static str>) {
        let mut caller = None;
        let mut callee = None;
        for leg in &self.legs {
            if leg.leg_type.starts_with("RingOut") {
                if leg.leg_type.ends_with("ToCaller") {
                    caller = leg.result;
                } else if leg.leg_type.ends_with("ToSubscriber") {
                    callee = leg.result;
                }
            }
        }
        (caller, callee)
    }
}

/// A late change to a generated record (billing re-rated, a recording attached, a newer
/// `lastModifiedTime`), kept beside its recipe and applied whenever the record is rebuilt.
#[derive(Clone, Debug)]
pub(crate) struct CallPatch {
    pub billing: Billing,
    /// A recording attached after the fact; the record had none.
    pub recording: Option<Recording>,
    pub last_modified: DateTime<Utc>,
}

impl Call {
    /// The record as it is after `patch`. A single billed leg carries the new billing too;
    /// the legs of a call billed per leg keep theirs (a re-rating of the whole call).
    pub fn apply(&mut self, patch: &CallPatch) {
        self.billing = Some(patch.billing);
        let mut billed = self.legs.iter_mut().filter(|l| l.billing.is_some());
        if let (Some(leg), None) = (billed.next(), billed.next()) {
            leg.billing = Some(patch.billing);
        }
        if let (Some(r), None) = (&patch.recording, &self.recording) {
            self.recording = Some(r.clone());
            self.short_recording = false;
            for leg in &mut self.legs {
                leg.with_recording = leg.master || leg.result.is_some_and(answered);
            }
        }
        self.last_modified = patch.last_modified;
    }
}

/// Results that mean somebody talked.
fn answered(result: &str) -> bool {
    matches!(result, "Accepted" | "Call connected")
}

pub(crate) const EXTERNAL: &[(&str, &str, &str)] = &[
    // (prefix, location, CNAM as caller-ID databases send it, padding included)
    ("+1415", "San Francisco (South), CA", "SAN FRANCSCO CA"),
    ("+1650", "Palo Alto, CA", "PALO ALTO    CA"),
    ("+1650", "San Mateo, CA", "SAN MATEO    CA"),
    ("+1408", "San Jose, CA", "SAN JOSE     CA"),
    ("+1212", "New York City, NY", "NEW YORK     NY"),
    ("+1312", "Chicago, IL", "CHICAGO      IL"),
    ("+1617", "Boston, MA", "BOSTON       MA"),
    ("+1206", "Seattle, WA", "SEATTLE      WA"),
    ("+1512", "Austin, TX", "AUSTIN       TX"),
    ("+1305", "Miami, FL", "MIAMI        FL"),
    ("+1303", "Denver, CO", "DENVER       CO"),
    ("+1831", "Salinas, CA", "SALINAS      CA"),
];
const INTERNATIONAL: &[(&str, &str)] = &[
    ("+4420", "London, United Kingdom"),
    ("+4930", "Berlin, Germany"),
    ("+331", "Paris, France"),
    ("+813", "Tokyo, Japan"),
    ("+5411", "Buenos Aires, Argentina"),
];
const TOLL_FREE: &[&str] = &["+1800", "+1888", "+1866", "+1877"];
const CALLER_NAMES: &[&str] = &[
    "WIRELESS CALLER",
    "Steven ",
    "ACME CORP",
    "Dana Whitfield",
    "UNKNOWN NAME",
    "Globex Support",
];

fn reason_for(result: &str) -> Option<(&'static str, &'static str)> {
    Some(match result {
        "Missed" => (
            "Not Answered",
            "The call was not answered within the ring timeout",
        ),
        "No Answer" => ("No Answer", "The called party did not answer"),
        "Busy" => ("Line Busy", "The called party was busy"),
        "Hang Up" => ("Hang Up", "The caller hung up before the call was answered"),
        "Rejected" => ("Calls Not Accepted", "The called party rejected the call"),
        "Blocked" => ("Number Blocked", "The caller's number is blocked"),
        "Abandoned" => ("Hang Up", "The caller hung up while waiting in the queue"),
        "Wrong Number" => ("Wrong Number", "The number dialed is not in service"),
        "Call Failed" => ("Failed Try Again", "Call failed, please try again"),
        "International Disabled" => (
            "International Disabled",
            "International calling is disabled for this extension",
        ),
        "Fax Not Sent" => ("Fax Send Error", "The fax could not be sent"),
        "Fax Partially Sent" => ("Fax Partially Sent", "Only some pages were sent"),
        "Fax Poor Line" => (
            "Fax Poor Line",
            "The line quality was too poor to send the fax",
        ),
        "Receive Error" => ("Fax Not Received", "The fax could not be received"),
        "Partial Receive" => ("Fax Not Received", "Only some pages were received"),
        _ => return None,
    })
}

struct Gen<'a> {
    rng: ChaCha8Rng,
    acc: &'a Account,
    start: DateTime<Utc>,
}

/// Builds the record `(seed, side)` starting at `start`.
pub(crate) fn build_call(acc: &Account, seed: u64, side: Side, start: DateTime<Utc>) -> Call {
    let mut g = Gen {
        rng: ChaCha8Rng::seed_from_u64(seed),
        acc,
        start,
    };
    let call = g.primary();
    match side {
        Side::Primary => call,
        Side::Callee => g.callee_view(call),
    }
}

impl Gen<'_> {
    fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p)
    }

    fn user(&mut self) -> &Extension {
        let i = *pick(&mut self.rng, &self.acc.users);
        &self.acc.extensions[i]
    }

    fn other_user(&mut self, not: i64) -> &Extension {
        for _ in 0..4 {
            let i = *pick(&mut self.rng, &self.acc.users);
            if self.acc.extensions[i].id != not {
                return &self.acc.extensions[i];
            }
        }
        let i = *pick(&mut self.rng, &self.acc.users);
        &self.acc.extensions[i]
    }

    /// A talk time in ms: log-normal around 1–2 minutes, 3 s to 2 h.
    fn talk_ms(&mut self) -> u64 {
        let secs = (4.3 + 1.1 * normal(&mut self.rng)).exp().clamp(3.0, 7200.0);
        (secs * 1000.0) as u64 + self.rng.random_range(0..1000)
    }

    fn ring_ms(&mut self) -> u64 {
        self.rng.random_range(4_000..30_000)
    }

    /// An outside party; `international` forces a non-NANP number.
    fn external(&mut self, international: bool) -> (Party, Option<&'static str>) {
        let rng = &mut self.rng;
        let roll = rng.random_range(0..100);
        let mut p = Party::default();
        let internal_type;
        if international || roll < 6 {
            let (prefix, loc) = *pick(rng, INTERNATIONAL);
            p.phone_number = Some(format!("{prefix}{}", digits(rng, 8)));
            p.location = Some(loc);
            internal_type = Some("International");
        } else if roll < 12 {
            let prefix = *pick(rng, TOLL_FREE);
            p.phone_number = Some(format!("{prefix}{}", digits(rng, 7)));
            if rng.random_bool(0.5) {
                p.name = Some("TOLL FREE CALL".to_string());
            }
            internal_type = Some("TollFreeNumber");
        } else {
            let (prefix, loc, cnam) = *pick(rng, EXTERNAL);
            p.phone_number = Some(format!("{prefix}{}", digits(rng, 7)));
            if rng.random_bool(0.85) {
                p.location = Some(loc);
            }
            let r = rng.random_range(0..100);
            if r < 45 {
                p.name = Some(cnam.to_string());
            } else if r < 60 {
                p.name = Some((*pick(rng, CALLER_NAMES)).to_string());
            }
            internal_type = Some(if rng.random_bool(0.5) {
                "Local"
            } else {
                "LongDistance"
            });
        }
        // Older data sends numbers without `+` (docs/api.md §3.3).
        if rng.random_bool(0.05)
            && let Some(n) = p.phone_number.as_mut()
        {
            n.remove(0);
        }
        (p, internal_type)
    }

    /// A party for one of our extensions, often partial like the samples (docs/api.md §3.3).
    fn ext_party(&mut self, ext: &Extension, with_number: bool) -> Party {
        let roll = self.rng.random_range(0..100);
        if roll < 5 {
            return Party {
                name: Some(ext.name.clone()),
                ..Party::default()
            };
        }
        if roll < 9 {
            return Party {
                extension_number: ext.number.clone(),
                ..Party::default()
            };
        }
        Party {
            phone_number: if with_number {
                ext.direct_number.clone()
            } else {
                None
            },
            extension_number: if roll < 60 { ext.number.clone() } else { None },
            extension_id: if roll < 45 {
                Some(ext.id.to_string())
            } else {
                None
            },
            name: Some(ext.name.clone()),
            location: None,
        }
    }

    fn rate_billing(&mut self, duration_ms: u64, rate: std::ops::Range<u32>) -> Billing {
        let minutes = duration_ms.div_ceil(60_000).max(1) as u32;
        let r = self.rng.random_range(rate);
        Billing {
            cost_included: Money(minutes.saturating_mul(r)),
            cost_purchased: Money(0),
        }
    }

    /// The `Accept` leg that stands for a whole inbound call (`master`): the call's parties,
    /// duration, result and message, answered at `extension_id`.
    fn master_accept_leg(&self, c: &Call, extension_id: i64) -> Leg {
        let mut leg = self.leg("Accept", "Inbound", "Phone Call");
        leg.master = true;
        leg.duration_ms = c.duration_ms;
        leg.result = c.result;
        leg.reason = c.reason;
        leg.from = c.from.clone();
        leg.to = c.to.clone();
        leg.extension_id = Some(extension_id);
        leg.with_message = c.message.is_some();
        leg
    }

    fn leg(&self, leg_type: &'static str, direction: &'static str, action: &'static str) -> Leg {
        Leg {
            leg_type,
            master: false,
            start: self.start,
            duration_ms: 0,
            direction,
            action,
            result: None,
            reason: None,
            from: Party::default(),
            to: Party::default(),
            extension_id: None,
            transport: "PSTN",
            billing: None,
            with_recording: false,
            with_message: false,
            extra_field: false,
        }
    }

    fn base(&mut self) -> Call {
        let rng = &mut self.rng;
        Call {
            session_id: format!("{}008", digits(rng, 9)),
            telephony_session_id: format!("s-{}z{}z{}", hex(rng, 12), hex(rng, 11), hex(rng, 13)),
            party_id: format!(
                "p-{}z{}-{}",
                hex(rng, 12),
                hex(rng, 11),
                rng.random_range(1..4)
            ),
            sip_uuid_info: None,
            start: self.start,
            duration_ms: 0,
            send_duration_ms: true,
            call_type: "Voice",
            direction: "Inbound",
            action: "Phone Call",
            result: None,
            reason: None,
            internal_type: None,
            transport: "PSTN",
            from: Party::default(),
            to: Party::default(),
            extension_id: None,
            recording: None,
            short_recording: false,
            billing: None,
            message: None,
            delegate: None,
            transfer: None,
            last_modified: self.start,
            deleted: false,
            legs: Vec::new(),
            extra_fields: false,
            has_callee_side: false,
            callee_extension_id: None,
        }
    }

    fn primary(&mut self) -> Call {
        let mut c = self.base();
        let roll = self.rng.random_range(0..1000);
        match roll {
            0..=50 => self.fax(&mut c),
            51..=290 => self.inbound_direct(&mut c),
            291..=350 => self.inbound_findme(&mut c),
            351..=460 => self.inbound_queue(&mut c),
            461..=510 => self.inbound_ivr(&mut c),
            511..=550 => self.inbound_transfer(&mut c),
            551..=800 => self.outbound_pstn(&mut c),
            801..=890 => self.ringout(&mut c),
            _ => self.internal(&mut c),
        }
        self.finish(&mut c);
        c
    }

    fn inbound_direct(&mut self, c: &mut Call) {
        let user = self.user().clone();
        let (caller, it) = self.external(false);
        let result = *pick_weighted(
            &mut self.rng,
            &[
                ("Accepted", 64),
                ("Missed", 12),
                ("Voicemail", 12),
                ("Rejected", 2),
                ("Hang Up", 4),
                ("Blocked", 1),
                ("Busy", 2),
                ("Answered Elsewhere", 1),
            ],
        );
        c.direction = "Inbound";
        c.action = "Phone Call";
        c.internal_type = it;
        c.from = caller.clone();
        c.to = self.ext_party(&user, true);
        c.extension_id = Some(user.id);
        c.result = Some(result);
        c.reason = reason_for(result);
        c.duration_ms = match result {
            "Accepted" => self.talk_ms(),
            "Voicemail" => self.rng.random_range(5_000..90_000),
            _ => 0,
        };
        if result == "Voicemail" {
            c.message = Some(MessageRef {
                id: format!("{}008", digits(&mut self.rng, 9)),
                kind: "VoiceMail",
                extension_id: user.id,
            });
        }
        c.legs.push(self.master_accept_leg(c, user.id));
        if result == "Accepted" && self.chance(0.3) {
            // The PSTN call continues to the user's VoIP device (2016 sample).
            let mut leg1 = self.leg("PstnToSip", "Outbound", "VoIP Call");
            leg1.duration_ms = c.duration_ms;
            leg1.result = Some(result);
            leg1.transport = "VoIP";
            leg1.from = Party {
                phone_number: caller.phone_number.clone(),
                name: Some(user.name.clone()),
                ..Party::default()
            };
            leg1.to = Party {
                phone_number: user.direct_number.clone(),
                location: Some("Palo Alto, CA"),
                ..Party::default()
            };
            leg1.extension_id = Some(user.id);
            c.legs.push(leg1);
        }
    }

    fn inbound_findme(&mut self, c: &mut Call) {
        let user = self.user().clone();
        let (caller, it) = self.external(false);
        c.direction = "Inbound";
        c.action = "Phone Call";
        c.internal_type = it;
        c.from = caller;
        c.to = self.ext_party(&user, true);
        c.extension_id = Some(user.id);
        let forwards = if self.chance(0.4) { 2 } else { 1 };
        let mut connected_any = false;
        let mut legs = Vec::new();
        let mut offset = self.ring_ms();
        let mut total_billing = 0u32;
        for k in 0..forwards {
            let (lt, action) = if k == 0 {
                ("FindMe", "FindMe")
            } else {
                ("FollowMe", "FollowMe")
            };
            let mut leg = self.leg(lt, "Outbound", action);
            leg.start = self.start + Duration::milliseconds(offset as i64);
            let connected = !connected_any && self.chance(0.6);
            leg.result = Some(if connected {
                "Call connected"
            } else {
                "No Answer"
            });
            leg.reason = if connected {
                None
            } else {
                reason_for("No Answer")
            };
            leg.duration_ms = if connected { self.talk_ms() } else { 0 };
            leg.from = c.from.clone();
            leg.to = Party {
                phone_number: user.mobile_number.clone(),
                ..Party::default()
            };
            leg.extension_id = Some(user.id);
            if connected && self.chance(0.6) {
                let b = self.rate_billing(leg.duration_ms, 5..30);
                total_billing += b.cost_included.0;
                leg.billing = Some(b);
            }
            connected_any |= connected;
            offset += self.ring_ms();
            legs.push(leg);
        }
        let result = if connected_any {
            "Accepted"
        } else if self.chance(0.5) {
            "Voicemail"
        } else {
            "Missed"
        };
        c.result = Some(result);
        c.reason = reason_for(result);
        c.duration_ms = legs.iter().map(|l| l.duration_ms).max().unwrap_or(0);
        if result == "Voicemail" {
            c.duration_ms = self.rng.random_range(5_000..60_000);
            c.message = Some(MessageRef {
                id: format!("{}008", digits(&mut self.rng, 9)),
                kind: "VoiceMail",
                extension_id: user.id,
            });
        }
        if total_billing > 0 {
            c.billing = Some(Billing {
                cost_included: Money(total_billing),
                cost_purchased: Money(0),
            });
        }
        c.legs.push(self.master_accept_leg(c, user.id));
        c.legs.extend(legs);
    }

    fn inbound_queue(&mut self, c: &mut Call) {
        let (qi, agents) = {
            let q = pick(&mut self.rng, &self.acc.queues);
            (q.0, q.1.clone())
        };
        let queue = self.acc.extensions[qi].clone();
        let (caller, it) = self.external(false);
        c.direction = "Inbound";
        c.action = "Phone Call";
        c.internal_type = it;
        c.from = caller;
        c.to = Party {
            phone_number: queue.direct_number.clone(),
            extension_number: queue.number.clone(),
            name: Some(queue.name.clone()),
            ..Party::default()
        };
        c.extension_id = Some(queue.id);
        let tries = self.rng.random_range(1..=agents.len().clamp(1, 4));
        let answered_call = self.chance(0.75);
        let mut offset = self.rng.random_range(2_000..20_000u64);
        let mut hunting = Vec::new();
        for k in 0..tries {
            let agent = self.acc.extensions[*pick(&mut self.rng, &agents)].clone();
            let mut leg = self.leg("Hunting", "Inbound", "Phone Call");
            leg.start = self.start + Duration::milliseconds(offset as i64);
            let took = answered_call && k + 1 == tries;
            leg.result = Some(if took { "Accepted" } else { "Missed" });
            leg.reason = if took { None } else { reason_for("Missed") };
            leg.duration_ms = if took { self.talk_ms() } else { 0 };
            leg.from = c.from.clone();
            leg.to = self.ext_party(&agent, false);
            leg.extension_id = Some(agent.id);
            leg.transport = "VoIP";
            offset += self.ring_ms();
            hunting.push(leg);
        }
        let result = if answered_call {
            "Accepted"
        } else {
            *pick_weighted(
                &mut self.rng,
                &[("Voicemail", 35), ("Abandoned", 35), ("Missed", 30)],
            )
        };
        c.result = Some(result);
        c.reason = reason_for(result);
        c.duration_ms = match result {
            "Accepted" => offset + hunting.last().map(|l| l.duration_ms).unwrap_or(0),
            "Voicemail" => offset + self.rng.random_range(5_000..60_000),
            _ => 0,
        };
        if result == "Voicemail" {
            c.message = Some(MessageRef {
                id: format!("{}008", digits(&mut self.rng, 9)),
                kind: "VoiceMail",
                extension_id: queue.id,
            });
        }
        c.legs.push(self.master_accept_leg(c, queue.id));
        c.legs.extend(hunting);
    }

    fn inbound_ivr(&mut self, c: &mut Call) {
        let ivr = self.acc.extensions[self.acc.ivr].clone();
        let user = self.user().clone();
        let (caller, it) = self.external(false);
        c.direction = "Inbound";
        c.action = "Phone Call";
        c.internal_type = it;
        c.from = caller;
        c.to = Party {
            phone_number: Some(self.acc.main_number.clone()),
            extension_number: ivr.number.clone(),
            name: Some(ivr.name.clone()),
            ..Party::default()
        };
        c.extension_id = Some(ivr.id);
        let menu_ms = self.rng.random_range(5_000..45_000u64);
        let reached = self.chance(0.8);
        let talk = if reached { self.talk_ms() } else { 0 };
        c.duration_ms = menu_ms + talk;
        c.result = Some("Accepted");
        c.legs.push(self.master_accept_leg(c, ivr.id));
        let mut leg1 = self.leg("ExtensionToExtension", "Inbound", "Phone Call");
        leg1.start = self.start + Duration::milliseconds(menu_ms as i64);
        leg1.duration_ms = talk;
        leg1.result = Some(if reached { "Accepted" } else { "Missed" });
        leg1.reason = if reached { None } else { reason_for("Missed") };
        leg1.from = c.from.clone();
        leg1.to = self.ext_party(&user, false);
        leg1.extension_id = Some(user.id);
        leg1.transport = "VoIP";
        c.legs.push(leg1);
    }

    fn inbound_transfer(&mut self, c: &mut Call) {
        let a = self.user().clone();
        let b = self.other_user(a.id).clone();
        let (caller, it) = self.external(false);
        c.direction = "Inbound";
        c.action = "Phone Call";
        c.internal_type = it;
        c.from = caller;
        c.to = self.ext_party(&a, true);
        c.extension_id = Some(a.id);
        let first = self.talk_ms().min(300_000);
        let second = self.talk_ms();
        c.duration_ms = first + second;
        c.result = Some("Accepted");
        let target = format!("s-{}z{}", hex(&mut self.rng, 12), hex(&mut self.rng, 13));
        let transferee = format!("s-{}z{}", hex(&mut self.rng, 12), hex(&mut self.rng, 13));
        c.transfer = Some((target, transferee));
        c.legs.push(self.master_accept_leg(c, a.id));
        let mut leg1 = self.leg("TransferCall", "Outbound", "Transfer");
        leg1.start = self.start + Duration::milliseconds(first as i64);
        leg1.duration_ms = second;
        leg1.result = Some("Accepted");
        leg1.from = self.ext_party(&a, false);
        leg1.to = self.ext_party(&b, false);
        leg1.extension_id = Some(b.id);
        leg1.transport = "VoIP";
        c.legs.push(leg1);
    }

    fn outbound_pstn(&mut self, c: &mut Call) {
        let user = self.user().clone();
        let intl = user.international && self.chance(0.15);
        let (callee, it) = self.external(intl);
        let international = it == Some("International");
        c.direction = "Outbound";
        c.action = *pick_weighted(
            &mut self.rng,
            &[
                ("VoIP Call", 55),
                ("Phone Call", 38),
                ("Call Return", 4),
                ("RingMe", 3),
            ],
        );
        c.internal_type = it;
        c.transport = if self.chance(0.5) { "PSTN" } else { "VoIP" };
        c.from = self.ext_party(&user, true);
        c.to = callee;
        c.extension_id = Some(user.id);
        let result = if international && !user.international {
            "International Disabled"
        } else {
            *pick_weighted(
                &mut self.rng,
                &[
                    ("Call connected", 78),
                    ("No Answer", 9),
                    ("Busy", 5),
                    ("Hang Up", 3),
                    ("Rejected", 2),
                    ("Wrong Number", 1),
                    ("Call Failed", 1),
                ],
            )
        };
        c.result = Some(result);
        c.reason = reason_for(result);
        c.duration_ms = if result == "Call connected" {
            self.talk_ms()
        } else {
            0
        };
        if result == "Call connected" {
            if self.chance(0.85) {
                let mut b = self.rate_billing(c.duration_ms, 5..40);
                if international {
                    let minutes = c.duration_ms.div_ceil(60_000).max(1) as u32;
                    let rate = self.rng.random_range(80..300);
                    b.cost_purchased = Money(minutes.saturating_mul(rate));
                }
                c.billing = Some(b);
            }
        } else if self.chance(0.4) {
            c.billing = Some(Billing {
                cost_included: Money(0),
                cost_purchased: Money(0),
            });
        }
        let lt = if self.chance(0.6) {
            "SipToPstnMetered"
        } else {
            "SipToPstnUnmetered"
        };
        let mut leg = self.leg(lt, "Outbound", c.action);
        leg.master = true;
        leg.duration_ms = c.duration_ms;
        leg.result = Some(result);
        leg.reason = c.reason;
        leg.from = c.from.clone();
        leg.to = c.to.clone();
        leg.extension_id = Some(user.id);
        leg.transport = c.transport;
        if self.chance(0.5) {
            leg.billing = c.billing;
        }
        c.legs.push(leg);
    }

    fn ringout(&mut self, c: &mut Call) {
        let user = self.user().clone();
        let (callee, it) = self.external(false);
        let action = *pick_weighted(
            &mut self.rng,
            &[
                ("RingOut Web", 50),
                ("RingOut PC", 20),
                ("RingOut Mobile", 30),
            ],
        );
        // Which leg-type flavour (docs/api.md §9: all read alike).
        let (to_caller, to_subscriber) = match action {
            "RingOut Web" if self.chance(0.4) => ("RingOutWebToCaller", "RingOutWebToSubscriber"),
            "RingOut Mobile" if self.chance(0.5) => {
                ("RingOutDeviceToCaller", "RingOutDeviceToSubscriber")
            }
            _ => ("RingOutClientToCaller", "RingOutClientToSubscriber"),
        };
        let one_leg = self.chance(0.05);
        c.direction = "Outbound";
        c.action = action;
        c.internal_type = if self.chance(0.6) {
            Some("RingOut")
        } else {
            it
        };
        c.from = Party {
            phone_number: user.direct_number.clone(),
            name: Some(user.name.clone()),
            ..Party::default()
        };
        c.to = callee;
        c.extension_id = Some(user.id);
        let caller_result = *pick_weighted(
            &mut self.rng,
            &[("Call connected", 85), ("Busy", 8), ("No Answer", 7)],
        );
        let mut leg0 = self.leg(
            if one_leg {
                "RingOutOneLegToCaller"
            } else {
                to_caller
            },
            "Outbound",
            action,
        );
        leg0.master = true;
        leg0.result = Some(caller_result);
        leg0.reason = reason_for(caller_result);
        // The caller leg has the call's own from/to (docs/api.md §9).
        leg0.from = c.from.clone();
        leg0.to = c.to.clone();
        leg0.extension_id = Some(user.id);
        let mut result = caller_result;
        if caller_result == "Call connected" && !one_leg {
            let callee_result = *pick_weighted(
                &mut self.rng,
                &[
                    ("Call connected", 80),
                    ("No Answer", 10),
                    ("Busy", 7),
                    ("Wrong Number", 3),
                ],
            );
            result = callee_result;
            let talk = if callee_result == "Call connected" {
                self.talk_ms()
            } else {
                0
            };
            let ring = self.ring_ms();
            leg0.duration_ms = ring + talk;
            let mut leg1 = self.leg(to_subscriber, "Outbound", action);
            leg1.start = self.start + Duration::milliseconds(ring as i64);
            leg1.duration_ms = talk;
            leg1.result = Some(callee_result);
            leg1.reason = reason_for(callee_result);
            // Seen from the callee's side: reversed (docs/api.md §9).
            leg1.from = c.to.clone();
            leg1.to = c.from.clone();
            leg1.extension_id = Some(user.id);
            c.duration_ms = talk;
            if talk > 0 && self.chance(0.7) {
                let b = self.rate_billing(talk, 5..30);
                c.billing = Some(b);
                leg1.billing = Some(b);
            }
            c.legs.push(leg0);
            c.legs.push(leg1);
        } else {
            // First party busy or absent: the callee is never called.
            c.legs.push(leg0);
        }
        c.result = Some(result);
        c.reason = reason_for(result);
    }

    fn internal(&mut self, c: &mut Call) {
        let a = self.user().clone();
        let b = self.other_user(a.id).clone();
        c.direction = "Outbound";
        c.action = "VoIP Call";
        c.internal_type = Some("Usual");
        c.transport = "VoIP";
        c.from = self.ext_party(&a, false);
        let with_number = self.chance(0.3);
        c.to = self.ext_party(&b, with_number);
        c.extension_id = Some(a.id);
        c.callee_extension_id = Some(b.id);
        let result = *pick_weighted(
            &mut self.rng,
            &[
                ("Call connected", 80),
                ("No Answer", 12),
                ("Busy", 5),
                ("Rejected", 3),
            ],
        );
        c.result = Some(result);
        c.reason = reason_for(result);
        c.duration_ms = if result == "Call connected" {
            self.talk_ms()
        } else {
            0
        };
        let mut leg = self.leg("ExtensionToExtension", "Outbound", "VoIP Call");
        leg.master = true;
        leg.duration_ms = c.duration_ms;
        leg.result = Some(result);
        leg.reason = c.reason;
        leg.from = c.from.clone();
        leg.to = c.to.clone();
        leg.extension_id = Some(a.id);
        leg.transport = "VoIP";
        c.legs.push(leg);
        c.has_callee_side = self.chance(0.7);
    }

    fn fax(&mut self, c: &mut Call) {
        c.call_type = "Fax";
        let inbound = self.chance(0.6);
        let (other, it) = self.external(false);
        c.internal_type = it;
        c.duration_ms = self.rng.random_range(20_000..180_000);
        let (ext, lt, result) = if inbound {
            let ext = if self.chance(0.7) {
                self.acc.extensions[self.acc.fax].clone()
            } else {
                self.user().clone()
            };
            c.direction = "Inbound";
            c.action = "Incoming Fax";
            c.from = other;
            c.to = self.ext_party(&ext, true);
            let r = *pick_weighted(
                &mut self.rng,
                &[
                    ("Received", 90),
                    ("Receive Error", 5),
                    ("Partial Receive", 5),
                ],
            );
            (ext, "Accept", r)
        } else {
            let ext = self.user().clone();
            c.direction = "Outbound";
            c.action = "Outgoing Fax";
            c.from = self.ext_party(&ext, true);
            c.to = other;
            let r = *pick_weighted(
                &mut self.rng,
                &[
                    ("Sent", 85),
                    ("Fax Not Sent", 7),
                    ("Fax Partially Sent", 4),
                    ("Fax Poor Line", 4),
                ],
            );
            if self.chance(0.5) {
                let pages = self.rng.random_range(1..12u32);
                c.billing = Some(Billing {
                    cost_included: Money(pages * 20),
                    cost_purchased: Money(0),
                });
            }
            (ext, "FaxSent", r)
        };
        c.extension_id = Some(ext.id);
        c.result = Some(result);
        c.reason = reason_for(result);
        c.message = Some(MessageRef {
            id: format!("{}008", digits(&mut self.rng, 9)),
            kind: "Fax",
            extension_id: ext.id,
        });
        let mut leg = self.leg(lt, c.direction, c.action);
        leg.master = true;
        leg.duration_ms = c.duration_ms;
        leg.result = Some(result);
        leg.reason = c.reason;
        leg.from = c.from.clone();
        leg.to = c.to.clone();
        leg.extension_id = Some(ext.id);
        leg.with_message = true;
        leg.billing = c.billing;
        c.legs.push(leg);
    }

    /// Fields shared by every scenario: recording, optional fields, deletion, timestamps.
    fn finish(&mut self, c: &mut Call) {
        let talked = c.result.is_some_and(answered);
        if c.call_type == "Voice" && talked && c.duration_ms > 30_000 && self.chance(0.15) {
            c.recording = Some(Recording {
                id: format!("{}008", digits(&mut self.rng, 13)),
                kind: if self.chance(0.7) {
                    "Automatic"
                } else {
                    "OnDemand"
                },
            });
            for leg in &mut c.legs {
                leg.with_recording = leg.master || leg.result.is_some_and(answered);
            }
        } else if talked && c.duration_ms < 30_000 && self.chance(0.02) {
            // Recordings under ~30 s are not kept (docs/api.md §7).
            c.short_recording = true;
        }
        c.send_duration_ms = self.chance(0.7);
        if self.chance(0.5) {
            let r = &mut self.rng;
            c.sip_uuid_info = Some(format!(
                "{}-{}-{}-{}-{}",
                hex(r, 8),
                hex(r, 4),
                hex(r, 4),
                hex(r, 4),
                hex(r, 12)
            ));
        }
        if self.chance(0.4) {
            c.internal_type = None;
        }
        if self.chance(0.01) {
            let d = self.user().clone();
            c.delegate = Some((d.id.to_string(), d.name.clone(), "Coworker"));
        }
        c.extra_fields = self.chance(0.005);
        if c.extra_fields
            && let Some(leg) = c.legs.first_mut()
        {
            leg.extra_field = true;
        }
        if self.chance(0.1) {
            // Older records carry no `master` flag at all (2016 sample).
            for leg in &mut c.legs {
                leg.master = false;
            }
        }
        if self.chance(0.08) {
            c.extension_id = None;
        }
        if self.chance(0.003) {
            c.result = None;
            c.reason = None;
        }
        c.deleted = self.chance(0.01);
        // Records appear 15–30 s after the call ends and change again when billing or a
        // recording is attached (docs/api.md §7).
        let end = c.start + Duration::milliseconds(c.duration_ms as i64);
        let mut lm = end + Duration::milliseconds(self.rng.random_range(15_000..45_000));
        if c.billing.is_some() || c.recording.is_some() {
            lm += Duration::seconds(self.rng.random_range(60..21_600));
        }
        if c.deleted {
            lm += Duration::hours(self.rng.random_range(1..72));
        }
        c.last_modified = lm;
    }

    /// The callee's record of an internal call: same session, seen from the other side.
    fn callee_view(&mut self, mut c: Call) -> Call {
        c.direction = "Inbound";
        c.action = "Phone Call";
        c.result = c.result.map(|r| match r {
            "Call connected" => "Accepted",
            "No Answer" => "Missed",
            other => other,
        });
        c.reason = c.result.and_then(reason_for);
        c.extension_id = c.callee_extension_id;
        c.party_id = format!("p-{}z{}-2", hex(&mut self.rng, 12), hex(&mut self.rng, 11));
        c.billing = None;
        c.delegate = None;
        c.extra_fields = false;
        c.has_callee_side = false;
        c.deleted = self.chance(0.01);
        let mut leg = self.leg("Accept", "Inbound", "Phone Call");
        leg.master = true;
        leg.duration_ms = c.duration_ms;
        leg.result = c.result;
        leg.reason = c.reason;
        leg.from = c.from.clone();
        leg.to = c.to.clone();
        leg.extension_id = c.extension_id;
        leg.transport = "VoIP";
        leg.with_recording = c.recording.is_some();
        c.legs = vec![leg];
        c
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn acc() -> Account {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        Account::generate(&mut rng, 400_131_426_008, 30)
    }

    #[test]
    fn money_text_matches_serialization() {
        assert_eq!(Money(137).json_text(), "0.137");
        assert_eq!(Money(0).json_text(), "0");
        assert_eq!(Money(1200).json_text(), "1.2");
        assert_eq!(Money(50).json_text(), "0.05");
        assert_eq!(Money(2000).json_text(), "2.0");
    }

    #[test]
    fn same_seed_same_call() {
        let acc = acc();
        let t = Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).unwrap();
        for seed in 0..200 {
            let a = build_call(&acc, seed, Side::Primary, t);
            let b = build_call(&acc, seed, Side::Primary, t);
            assert_eq!(format!("{a:?}"), format!("{b:?}"));
            assert!(a.last_modified >= t + Duration::milliseconds(a.duration_ms as i64));
            assert!(!a.legs.is_empty());
            assert!(a.legs.iter().filter(|l| l.master).count() <= 1);
        }
    }

    #[test]
    fn ringout_legs_follow_notes() {
        let acc = acc();
        let t = Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).unwrap();
        let mut two_legs = 0;
        let mut one_leg = 0;
        for seed in 0..5000 {
            let c = build_call(&acc, seed, Side::Primary, t);
            if !c.action.starts_with("RingOut") {
                continue;
            }
            let (caller, callee) = c.ringout_results();
            assert!(caller.is_some());
            if c.legs.len() == 2 {
                two_legs += 1;
                assert!(callee.is_some());
                assert_eq!(c.legs[0].from.phone_number, c.from.phone_number);
                assert_eq!(c.legs[1].from.phone_number, c.to.phone_number);
                assert_eq!(c.legs[1].to.phone_number, c.from.phone_number);
            } else {
                one_leg += 1;
                assert!(callee.is_none());
            }
        }
        assert!(two_legs > 50 && one_leg > 5, "{two_legs} {one_leg}");
    }
}
