//! A fault-injecting TCP proxy: it forwards loopback connections to an upstream server and cuts
//! some of them abruptly after a seeded random number of client→server bytes.
//!
//! Why: schools upload over Wi-Fi that drops, through filters that kill long connections, on
//! laptops that sleep mid-upload. The submission code must resume (tus offsets) and retry
//! without duplicating or corrupting anything, and that is only believable when a test cuts
//! real TCP connections at unpredictable — but reproducible — points. A seed makes a failing
//! run repeatable; the bounds put cuts in the middle of the requests that matter.
//!
//! The proxy runs on its own thread with its own Tokio runtime, so it keeps forwarding while
//! the test's runtime is blocked (a test waiting on a child process, a current-thread runtime
//! busy elsewhere), and [`FaultProxy::start`] needs no runtime at all.
//!
//! A cut is an abortive close of both sockets (`SO_LINGER` 0, so a TCP RST rather than a FIN):
//! the client's next read or write fails with "connection reset", and the server sees its peer
//! vanish mid-request, as with a real network failure.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

use crate::process::assert_loopback;

/// How long the proxy's thread gets to stop when the proxy is dropped.
const STOP_WAIT: Duration = Duration::from_secs(10);

/// When to cut connections.
///
/// Connection number *k* (in the order the proxy accepted them) gets the *k*-th number drawn
/// from a SplitMix64 generator seeded with `seed`, uniformly in `[min_bytes, max_bytes]`. When
/// that many client→server bytes have been forwarded on it, the proxy cuts it — if fewer than
/// `max_cuts` connections were cut so far; otherwise the connection is passed through whole,
/// as is every later one once the budget is spent. A connection that ends before reaching its
/// number is not cut and does not use up a cut. A number of 0 cuts a connection as soon as it
/// was accepted and connected upstream.
///
/// The generator is our own (SplitMix64), not a crate's, so that a seed picks the same cut
/// points on every machine and with every dependency version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CutPlan {
    /// Seeds the generator of cut points.
    pub seed: u64,
    /// The fewest client→server bytes a connection carries before it is cut.
    pub min_bytes: u64,
    /// The most client→server bytes a connection carries before it is cut (inclusive).
    pub max_bytes: u64,
    /// How many connections are cut in all; after that everything passes through.
    pub max_cuts: u64,
}

impl CutPlan {
    /// A plan that never cuts: the proxy is a plain forwarder (its counters still count).
    pub fn never() -> Self {
        Self {
            seed: 0,
            min_bytes: 0,
            max_bytes: 0,
            max_cuts: 0,
        }
    }
}

/// SplitMix64 (Steele, Lea and Flood, 2014): tiny, fast, and the same sequence forever.
#[derive(Debug)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `[min, max]` (the slight modulo bias does not matter for cut points).
    fn in_range(&mut self, min: u64, max: u64) -> u64 {
        match (max - min).checked_add(1) {
            Some(span) => min + self.next() % span,
            None => self.next(),
        }
    }
}

/// What the proxy counted; shared with its connection tasks.
#[derive(Debug, Default)]
struct Counters {
    connections: AtomicU64,
    cuts: AtomicU64,
    bytes_up: AtomicU64,
    /// Client→server bytes forwarded on each cut connection, in the order of the cuts.
    cut_points: Mutex<Vec<u64>>,
}

impl Counters {
    /// Takes one cut from the budget, unless it is spent.
    fn reserve_cut(&self, max_cuts: u64) -> bool {
        self.cuts
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |cuts| {
                (cuts < max_cuts).then_some(cuts + 1)
            })
            .is_ok()
    }

    fn cuts_left(&self, max_cuts: u64) -> bool {
        self.cuts.load(Ordering::SeqCst) < max_cuts
    }
}

/// A running fault-injecting proxy on `127.0.0.1`. Dropping it stops it: it stops accepting
/// and closes every connection still open.
#[derive(Debug)]
pub struct FaultProxy {
    addr: SocketAddr,
    upstream: SocketAddr,
    plan: CutPlan,
    counters: Arc<Counters>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl FaultProxy {
    /// Starts a proxy on `127.0.0.1:0` (a free port) forwarding to `upstream`, cutting
    /// connections as `plan` says.
    ///
    /// Panics when `upstream` is not a loopback address, or when `plan.min_bytes` exceeds
    /// `plan.max_bytes`.
    #[track_caller]
    pub fn start(upstream: SocketAddr, plan: CutPlan) -> Self {
        assert_loopback("the fault proxy's upstream", upstream);
        assert!(
            plan.min_bytes <= plan.max_bytes,
            "CutPlan: min_bytes ({}) is more than max_bytes ({})",
            plan.min_bytes,
            plan.max_bytes
        );
        let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .expect("a free loopback port for the fault proxy");
        listener
            .set_nonblocking(true)
            .expect("the proxy's listener made non-blocking");
        let addr = listener.local_addr().expect("the proxy's address");
        let counters = Arc::new(Counters::default());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a Tokio runtime for the fault proxy");
        let shared = counters.clone();
        let thread = std::thread::Builder::new()
            .name(format!("fault-proxy-{}", addr.port()))
            .spawn(move || {
                runtime.block_on(async move {
                    let listener =
                        TcpListener::from_std(listener).expect("the listener joins the runtime");
                    tokio::select! {
                        () = accept_loop(listener, upstream, plan, shared) => {}
                        _ = stopped => {}
                    }
                });
                // Dropping the runtime here drops every connection task, closing its sockets.
            })
            .expect("the fault proxy's thread");
        Self {
            addr,
            upstream,
            plan,
            counters,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// The address clients connect to (`127.0.0.1:PORT`).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, for a client that speaks HTTP to the upstream through it.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The server it forwards to.
    pub fn upstream(&self) -> SocketAddr {
        self.upstream
    }

    /// The plan it cuts by.
    pub fn plan(&self) -> CutPlan {
        self.plan
    }

    /// How many connections it cut.
    pub fn cuts(&self) -> u64 {
        self.counters.cuts.load(Ordering::SeqCst)
    }

    /// How many connections it accepted.
    pub fn connections(&self) -> u64 {
        self.counters.connections.load(Ordering::SeqCst)
    }

    /// Client→server bytes forwarded (written to the upstream), over every connection.
    pub fn bytes_up(&self) -> u64 {
        self.counters.bytes_up.load(Ordering::SeqCst)
    }

    /// Client→server bytes forwarded on each cut connection before it was cut, in the order
    /// of the cuts. The server received at most that many on it: the reset may discard what
    /// was still in the proxy's send buffer.
    pub fn cut_points(&self) -> Vec<u64> {
        self.counters
            .cut_points
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            // Bounded: the runtime stops at the next poll; give up waiting rather than hang a
            // test if it somehow does not.
            let deadline = std::time::Instant::now() + STOP_WAIT;
            while !thread.is_finished() && std::time::Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(5));
            }
            if thread.is_finished() {
                let _ = thread.join();
            }
        }
    }
}

async fn accept_loop(
    listener: TcpListener,
    upstream: SocketAddr,
    plan: CutPlan,
    counters: Arc<Counters>,
) {
    let mut rng = SplitMix64(plan.seed);
    loop {
        let client = match listener.accept().await {
            Ok((client, _)) => client,
            Err(_) => {
                // Out of file descriptors and the like: back off instead of spinning.
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        counters.connections.fetch_add(1, Ordering::SeqCst);
        let cut_after = rng.in_range(plan.min_bytes, plan.max_bytes);
        tokio::spawn(relay(
            client,
            upstream,
            cut_after,
            plan.max_cuts,
            counters.clone(),
        ));
    }
}

/// How the client→server direction ended.
enum Up {
    /// The client finished sending (or failed); the upstream's write side was shut down.
    Done,
    /// The connection is to be cut.
    Cut,
}

/// Forwards one connection both ways, cutting it after `cut_after` client→server bytes while
/// the cut budget lasts.
async fn relay(
    mut client: TcpStream,
    upstream: SocketAddr,
    cut_after: u64,
    max_cuts: u64,
    counters: Arc<Counters>,
) {
    let Ok(mut server) = TcpStream::connect(upstream).await else {
        // Nothing listens upstream: the client sees its connection closed.
        return;
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let mut forwarded = 0u64;
    let cut = {
        let (mut client_read, mut client_write) = client.split();
        let (mut server_read, mut server_write) = server.split();
        let up = async {
            let mut buf = vec![0u8; 16 * 1024];
            loop {
                let mut cutting = counters.cuts_left(max_cuts);
                if cutting && forwarded >= cut_after {
                    if counters.reserve_cut(max_cuts) {
                        return Up::Cut;
                    }
                    // Another connection took the last cut meanwhile: pass through.
                    cutting = false;
                }
                // While a cut may come, read no further than the cut point, so that exactly
                // `cut_after` bytes are forwarded before it.
                let room = if cutting {
                    usize::try_from(cut_after - forwarded)
                        .unwrap_or(usize::MAX)
                        .min(buf.len())
                } else {
                    buf.len()
                };
                let n = match client_read.read(&mut buf[..room]).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => n,
                };
                if server_write.write_all(&buf[..n]).await.is_err() {
                    break;
                }
                forwarded += n as u64;
                counters.bytes_up.fetch_add(n as u64, Ordering::SeqCst);
            }
            // Half-close: the server sees the end of the request and may still answer.
            let _ = server_write.shutdown().await;
            Up::Done
        };
        let down = async {
            let _ = tokio::io::copy(&mut server_read, &mut client_write).await;
            let _ = client_write.shutdown().await;
        };
        tokio::pin!(up, down);
        let (mut up_done, mut down_done) = (false, false);
        loop {
            tokio::select! {
                result = &mut up, if !up_done => match result {
                    Up::Cut => break true,
                    Up::Done => up_done = true,
                },
                () = &mut down, if !down_done => down_done = true,
            }
            if up_done && down_done {
                break false;
            }
        }
    };
    if cut {
        counters
            .cut_points
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(forwarded);
        // SO_LINGER 0: closing sends a reset, on both sides.
        let _ = client.set_zero_linger();
        let _ = server.set_zero_linger();
    }
    drop(client);
    drop(server);
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// An echo server on loopback: writes back everything it reads, until end of file.
    async fn echo_server() -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            loop {
                let Ok((mut socket, _)) = listener.accept().await else {
                    return;
                };
                tokio::spawn(async move {
                    let (mut read, mut write) = socket.split();
                    let _ = tokio::io::copy(&mut read, &mut write).await;
                    let _ = write.shutdown().await;
                });
            }
        });
        addr
    }

    /// Sends `payload` through `addr` while reading the echo; what came back, and whether the
    /// connection ended cleanly (`Ok`) or with an error.
    async fn round_trip(addr: SocketAddr, payload: &[u8]) -> (Vec<u8>, std::io::Result<()>) {
        let socket = TcpStream::connect(addr).await.unwrap();
        let (mut read, mut write) = socket.into_split();
        let payload = payload.to_vec();
        let sender = tokio::spawn(async move {
            let _ = write.write_all(&payload).await;
            let _ = write.shutdown().await;
        });
        let mut echoed = Vec::new();
        let mut buf = [0u8; 8192];
        let ended = loop {
            match read.read(&mut buf).await {
                Ok(0) => break Ok(()),
                Ok(n) => echoed.extend_from_slice(&buf[..n]),
                Err(e) => break Err(e),
            }
        };
        let _ = sender.await;
        (echoed, ended)
    }

    fn payload(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 31 % 251) as u8).collect()
    }

    async fn bounded<T>(f: impl std::future::Future<Output = T>) -> T {
        tokio::time::timeout(Duration::from_secs(20), f)
            .await
            .expect("the round trip finished within 20 s")
    }

    #[tokio::test]
    async fn never_passes_everything_through() {
        let proxy = FaultProxy::start(echo_server().await, CutPlan::never());
        let data = payload(300_000);
        let (echoed, ended) = bounded(round_trip(proxy.addr(), &data)).await;
        ended.unwrap();
        assert!(echoed == data, "the echo is the payload");
        assert_eq!(proxy.connections(), 1);
        assert_eq!(proxy.cuts(), 0);
        assert_eq!(proxy.bytes_up(), 300_000);
        assert!(proxy.url().starts_with("http://127.0.0.1:"));
    }

    #[tokio::test]
    async fn cuts_within_bounds_then_passes_through() {
        let plan = CutPlan {
            seed: 42,
            min_bytes: 1_000,
            max_bytes: 50_000,
            max_cuts: 2,
        };
        let proxy = FaultProxy::start(echo_server().await, plan);
        let data = payload(200_000);
        for _ in 0..2 {
            let (echoed, ended) = bounded(round_trip(proxy.addr(), &data)).await;
            assert!(ended.is_err(), "a cut connection ends in an error");
            assert!(echoed.len() <= 50_000, "echoed {}", echoed.len());
            assert_eq!(
                echoed[..],
                data[..echoed.len()],
                "what came back is a prefix"
            );
        }
        let points = proxy.cut_points();
        assert_eq!(points.len(), 2);
        assert!(
            points.iter().all(|p| (1_000..=50_000).contains(p)),
            "{points:?}"
        );
        assert_eq!(proxy.bytes_up(), points.iter().sum::<u64>());
        // The budget is spent: the third connection passes through whole.
        let (echoed, ended) = bounded(round_trip(proxy.addr(), &data)).await;
        ended.unwrap();
        assert!(echoed == data);
        assert_eq!(proxy.cuts(), 2);
        assert_eq!(proxy.connections(), 3);
    }

    #[tokio::test]
    async fn the_seed_decides_the_cut_points() {
        let plan = CutPlan {
            seed: 7,
            min_bytes: 10,
            max_bytes: 100_000,
            max_cuts: 3,
        };
        let upstream = echo_server().await;
        let mut runs = Vec::new();
        for _ in 0..2 {
            let proxy = FaultProxy::start(upstream, plan);
            for _ in 0..3 {
                let _ = bounded(round_trip(proxy.addr(), &payload(150_000))).await;
            }
            runs.push(proxy.cut_points());
        }
        assert_eq!(runs[0].len(), 3);
        assert_eq!(runs[0], runs[1], "the same seed cuts at the same points");
        let mut rng = SplitMix64(7);
        let expected: Vec<u64> = (0..3).map(|_| rng.in_range(10, 100_000)).collect();
        assert_eq!(runs[0], expected);
    }

    #[tokio::test]
    async fn a_cut_is_a_reset_after_exactly_the_drawn_bytes() {
        let plan = CutPlan {
            seed: 1,
            min_bytes: 10,
            max_bytes: 10,
            max_cuts: 1,
        };
        let proxy = FaultProxy::start(echo_server().await, plan);
        let mut socket = TcpStream::connect(proxy.addr()).await.unwrap();
        socket.write_all(b"0123456789").await.unwrap();
        let mut buf = [0u8; 64];
        let read = bounded(socket.read(&mut buf)).await;
        let err = read.expect_err("the connection was reset, not answered");
        assert_eq!(err.kind(), std::io::ErrorKind::ConnectionReset, "{err}");
        assert_eq!(proxy.cut_points(), vec![10]);
        assert_eq!(proxy.bytes_up(), 10);
    }

    #[test]
    #[should_panic(expected = "loopback")]
    fn refuses_a_remote_upstream() {
        let _ = FaultProxy::start("192.0.2.1:80".parse().unwrap(), CutPlan::never());
    }

    #[test]
    fn works_without_a_runtime_and_stops_on_drop() {
        let proxy = FaultProxy::start("127.0.0.1:9".parse().unwrap(), CutPlan::never());
        let addr = proxy.addr();
        drop(proxy);
        assert!(
            std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(2)).is_err(),
            "nothing listens after drop"
        );
    }
}
