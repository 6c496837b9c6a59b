//! The simulated account: its extensions (users, call queues, an IVR, a fax user).

use std::collections::HashSet;

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::pick::pick_weighted;

const FIRST_NAMES: &[&str] = &[
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Carlos",
    "Karen",
    "Wei",
    "Priya",
    "Ahmed",
    "Olga",
    "Kenji",
    "Fatima",
    "Lars",
    "Ana",
    "Noah",
    "Chloé",
    "Jürgen",
    "Zoë",
];
const LAST_NAMES: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Nguyen",
    "Chen",
    "Patel",
    "Müller",
    "Schmidt",
    "Kowalski",
    "O'Brien",
    "Tanaka",
    "Rossi",
    "Novak",
    "Silva",
];
const QUEUES: &[&str] = &["Sales Queue", "Support Queue", "Billing Queue"];

/// One extension of the account.
#[derive(Clone, Debug)]
pub(crate) struct Extension {
    pub id: i64,
    pub number: Option<String>,
    pub first_name: String,
    pub last_name: Option<String>,
    pub name: String,
    pub kind: &'static str,
    pub status: &'static str,
    /// Direct E.164 number, for users and queues.
    pub direct_number: Option<String>,
    /// Mobile number that FindMe/FollowMe forward to.
    pub mobile_number: Option<String>,
    pub email: String,
    pub admin: bool,
    pub international: bool,
}

/// The account with its extensions and the roles calls pick from.
#[derive(Clone, Debug)]
pub(crate) struct Account {
    pub id: i64,
    pub main_number: String,
    pub company: String,
    pub extensions: Vec<Extension>,
    /// Indices of enabled users (the people who make and take calls).
    pub users: Vec<usize>,
    /// Indices of call queues, and for each the indices of its agents.
    pub queues: Vec<(usize, Vec<usize>)>,
    pub ivr: usize,
    pub fax: usize,
}

impl Account {
    /// Generates the account. `users` user extensions plus queues, IVR, fax user and one
    /// unassigned extension.
    pub fn generate(rng: &mut ChaCha8Rng, account_id: i64, users: u32) -> Self {
        let users = users.max(1) as usize;
        let mut ids = HashSet::new();
        ids.insert(account_id);
        let mut new_id = |rng: &mut ChaCha8Rng| loop {
            // Production-like ids: 62xxxxxxx008 (12 digits).
            let id = 620_000_000_000 + rng.random_range(0..100_000_000i64) * 1000 + 8;
            if ids.insert(id) {
                return id;
            }
        };
        let company = "Lakeside Analytics Inc.".to_string();
        let main_number = "+16505550100".to_string();
        let mut extensions = Vec::with_capacity(users + 8);
        let mut user_idx = Vec::new();
        for i in 0..users {
            let first = FIRST_NAMES[rng.random_range(0..FIRST_NAMES.len())];
            let last = LAST_NAMES[rng.random_range(0..LAST_NAMES.len())];
            // The first user is the account's main (system) extension whose id equals the
            // account id (docs/api.md §1.7).
            let id = if i == 0 { account_id } else { new_id(rng) };
            let status = if i == 0 {
                "Enabled"
            } else {
                *pick_weighted(
                    rng,
                    &[("Enabled", 90), ("Disabled", 5), ("NotActivated", 5)],
                )
            };
            let area = ["650", "415", "408", "510"][rng.random_range(0..4)];
            extensions.push(Extension {
                id,
                number: Some(format!("{}", 101 + i)),
                first_name: first.to_string(),
                last_name: Some(last.to_string()),
                name: format!("{first} {last}"),
                kind: "User",
                status,
                direct_number: Some(format!("+1{area}555{:04}", 1000 + i)),
                mobile_number: Some(format!(
                    "+1{area}{:03}{:04}",
                    rng.random_range(200..999),
                    rng.random_range(0..10000)
                )),
                email: format!(
                    "{}.{}{}@lakeside.example",
                    ascii_lower(first),
                    ascii_lower(last),
                    i
                ),
                admin: i == 0 || rng.random_bool(0.05),
                international: rng.random_bool(0.3),
            });
            if status == "Enabled" {
                user_idx.push(i);
            }
        }
        // Call queues (legacy type `Department`, docs/api.md §1.7), agents split among them.
        let n_queues = if users >= 6 { 3 } else { 2 };
        let mut queues = Vec::new();
        for (q, qname) in QUEUES.iter().enumerate().take(n_queues) {
            let idx = extensions.len();
            extensions.push(Extension {
                id: new_id(rng),
                number: Some(format!("{}", 801 + q)),
                first_name: qname.to_string(),
                last_name: None,
                name: qname.to_string(),
                kind: "Department",
                status: "Enabled",
                direct_number: Some(format!("+16505550{}", 110 + q)),
                mobile_number: None,
                email: format!("queue{}@lakeside.example", q + 1),
                admin: false,
                international: false,
            });
            let agents: Vec<usize> = user_idx
                .iter()
                .copied()
                .enumerate()
                .filter(|(k, _)| k % n_queues == q)
                .map(|(_, u)| u)
                .collect();
            let agents = if agents.is_empty() {
                user_idx.clone()
            } else {
                agents
            };
            queues.push((idx, agents));
        }
        let ivr = extensions.len();
        extensions.push(Extension {
            id: new_id(rng),
            number: Some("900".to_string()),
            first_name: "Main IVR".to_string(),
            last_name: None,
            name: "Main IVR".to_string(),
            kind: "IvrMenu",
            status: "Enabled",
            direct_number: None,
            mobile_number: None,
            email: "ivr@lakeside.example".to_string(),
            admin: false,
            international: false,
        });
        let fax = extensions.len();
        extensions.push(Extension {
            id: new_id(rng),
            number: Some("701".to_string()),
            first_name: "Fax".to_string(),
            last_name: Some("Machine".to_string()),
            name: "Fax Machine".to_string(),
            kind: "FaxUser",
            status: "Enabled",
            direct_number: Some("+16505550199".to_string()),
            mobile_number: None,
            email: "fax@lakeside.example".to_string(),
            admin: false,
            international: false,
        });
        // An extension without a number (status `Unassigned`, docs/api.md §1.7).
        extensions.push(Extension {
            id: new_id(rng),
            number: None,
            first_name: "Unassigned".to_string(),
            last_name: Some("Seat".to_string()),
            name: "Unassigned Seat".to_string(),
            kind: "User",
            status: "Unassigned",
            direct_number: None,
            mobile_number: None,
            email: "seat@lakeside.example".to_string(),
            admin: false,
            international: false,
        });
        if user_idx.is_empty() {
            user_idx.push(0);
        }
        Self {
            id: account_id,
            main_number,
            company,
            extensions,
            users: user_idx,
            queues,
            ivr,
            fax,
        }
    }
}

fn ascii_lower(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphabetic())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn account_has_all_roles_and_unique_ids() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let acc = Account::generate(&mut rng, 400_131_426_008, 20);
        assert_eq!(acc.extensions[0].id, 400_131_426_008);
        let ids: HashSet<i64> = acc.extensions.iter().map(|e| e.id).collect();
        assert_eq!(ids.len(), acc.extensions.len());
        assert_eq!(acc.queues.len(), 3);
        assert!(acc.queues.iter().all(|(_, agents)| !agents.is_empty()));
        assert_eq!(acc.extensions[acc.ivr].kind, "IvrMenu");
        assert_eq!(acc.extensions[acc.fax].kind, "FaxUser");
        assert!(acc.extensions.iter().any(|e| e.number.is_none()));
        assert_eq!(acc.extensions.len(), 20 + 3 + 3);
    }
}
