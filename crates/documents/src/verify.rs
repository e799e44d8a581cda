//! The verification code printed on certificates.
//!
//! A short code derived from a BLAKE3 hash of what the certificate states (institution,
//! framework id and version, award id, date), so anyone holding the same facts can recompute
//! it and see the certificate was not altered, and so it is the same every time the same
//! certificate is printed. Crockford base32 avoids letters that read like digits (I, L, O, U).

use chrono::NaiveDate;

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The code for a certificate, e.g. `WM-7K3Q-9XDA`: 40 bits of
/// `BLAKE3("waymark-certificate-v1\n" + institution + "\n" + framework id + "\n" + version +
/// "\n" + award id + "\n" + YYYY-MM-DD)`, in Crockford base32.
pub fn verification_code(
    institution: &str,
    framework_id: &str,
    framework_version: &str,
    award_id: &str,
    date: NaiveDate,
) -> String {
    let mut h = blake3::Hasher::new();
    for part in [
        "waymark-certificate-v1",
        institution,
        framework_id,
        framework_version,
        award_id,
        &date.format("%Y-%m-%d").to_string(),
    ] {
        h.update(part.as_bytes());
        h.update(b"\n");
    }
    let hash = h.finalize();
    let bits = hash
        .as_bytes()
        .iter()
        .take(5)
        .fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
    let chars: String = (0..8)
        .rev()
        .map(|i| char::from(CROCKFORD[((bits >> (i * 5)) & 31) as usize]))
        .collect();
    format!("WM-{}-{}", &chars[..4], &chars[4..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).expect("valid date")
    }

    #[test]
    fn codes_are_stable_short_and_change_with_any_fact() {
        let a = verification_code(
            "Ysgol ŵŷ",
            "computing-quality",
            "2.0",
            "commitment",
            day(23),
        );
        assert_eq!(
            a,
            verification_code(
                "Ysgol ŵŷ",
                "computing-quality",
                "2.0",
                "commitment",
                day(23)
            )
        );
        assert_eq!(a.len(), 12);
        assert!(a.starts_with("WM-"));
        assert!(
            a[3..]
                .chars()
                .all(|c| c == '-' || CROCKFORD.contains(&(c as u8)))
        );
        for other in [
            verification_code("Ysgol ŵ", "computing-quality", "2.0", "commitment", day(23)),
            verification_code(
                "Ysgol ŵŷ",
                "computing-quality",
                "1.0",
                "commitment",
                day(23),
            ),
            verification_code("Ysgol ŵŷ", "computing-quality", "2.0", "progress", day(23)),
            verification_code(
                "Ysgol ŵŷ",
                "computing-quality",
                "2.0",
                "commitment",
                day(24),
            ),
        ] {
            assert_ne!(a, other);
        }
    }
}
