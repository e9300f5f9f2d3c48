//! [`LocalEmbedder`]: all-MiniLM-L6-v2 run in-process on a pool of worker
//! threads.

use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

use tokio::sync::oneshot;

use super::bert::{self, Workspace};
use super::bf16::PackedBf16;
use super::tokenize::TextTokenizer;
use super::weights::{self, BertWeights};
use super::{DIMENSION, EmbedError, Embedder, Precision};

/// How a [`LocalEmbedder`] uses the CPU.
#[derive(Debug, Clone)]
pub struct LocalEmbedderOptions {
    /// Worker threads, each running whole batches on one core. Defaults to
    /// the number of CPUs. Measured on 2 cores: two single-threaded workers
    /// run twice as fast as one worker whose matmuls are split across both
    /// (gemm's own threading gained nothing at these sizes), so matmuls are
    /// never split.
    pub threads: usize,
    /// Texts per batch. Batches are packed without padding, so this mostly
    /// trades memory for fewer, larger matmuls; 32 measured best. Also the
    /// most texts that concurrent small calls (search queries) are merged
    /// into.
    pub batch_size: usize,
    /// F32 or, where the CPU supports it, bf16 matmuls; by default what
    /// [`PrecisionChoice::Auto`](crate::PrecisionChoice::Auto) picks on
    /// this CPU.
    pub precision: Precision,
}

impl Default for LocalEmbedderOptions {
    fn default() -> Self {
        Self {
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            batch_size: 32,
            precision: crate::PrecisionChoice::Auto.resolve(),
        }
    }
}

/// The model and tokenizer, shared read-only by the workers.
#[derive(Debug)]
struct Model {
    weights: BertWeights,
    tokenizer: TextTokenizer,
}

/// One call's share of a batch: which of the call's texts to embed, and
/// where to send the `indices.len() × DIMENSION` result.
struct Job {
    texts: Arc<[String]>,
    indices: Vec<usize>,
    reply: oneshot::Sender<Result<Vec<f32>, EmbedError>>,
}

/// Jobs waiting for a worker.
///
/// A worker takes the oldest job and, as long as they fit in one batch, the
/// jobs queued behind it. A single short text (a search query) costs about as
/// much as streaming the ~45 MB of encoder weights through the core once, so
/// concurrent queries that share one forward pass cost little more than one
/// of them: under load the throughput of query embedding grows with the
/// queue, and with an empty queue nothing waits for company.
#[derive(Default)]
struct JobQueue {
    state: Mutex<QueueState>,
    /// Signalled when a job arrives or the queue closes.
    changed: Condvar,
}

#[derive(Default)]
struct QueueState {
    jobs: VecDeque<Job>,
    /// Set when the embedder is dropped: workers finish what is queued and
    /// exit.
    closed: bool,
}

impl JobQueue {
    fn lock(&self) -> MutexGuard<'_, QueueState> {
        // Nothing panics while holding the lock, so a poisoned queue is
        // still consistent.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn push(&self, job: Job) {
        self.lock().jobs.push_back(job);
        self.changed.notify_one();
    }

    fn close(&self) {
        self.lock().closed = true;
        self.changed.notify_all();
    }

    /// Blocks until there is work: the oldest job plus the ones behind it
    /// that fit within `max_texts` together. `None` once the queue is
    /// closed and empty.
    fn take(&self, max_texts: usize) -> Option<Vec<Job>> {
        let mut state = self.lock();
        loop {
            if let Some(first) = state.jobs.pop_front() {
                let mut texts = first.indices.len();
                let mut jobs = vec![first];
                while let Some(next) = state.jobs.front() {
                    if texts + next.indices.len() > max_texts {
                        break;
                    }
                    texts += next.indices.len();
                    jobs.extend(state.jobs.pop_front());
                }
                return Some(jobs);
            }
            if state.closed {
                return None;
            }
            state = self
                .changed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

/// all-MiniLM-L6-v2 in-process. Cheap to share behind an `Arc`; dropping it
/// stops the workers once the batches already queued are done.
pub struct LocalEmbedder {
    queue: Arc<JobQueue>,
    options: LocalEmbedderOptions,
}

impl Drop for LocalEmbedder {
    fn drop(&mut self) {
        self.queue.close();
    }
}

impl std::fmt::Debug for LocalEmbedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalEmbedder")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl LocalEmbedder {
    /// Loads the model from a sentence-transformers directory (`config.json`,
    /// `model.safetensors`, `tokenizer.json`, `sentence_bert_config.json`)
    /// and starts the worker threads. Blocking (it reads ~90 MB and takes a
    /// few hundred ms): from async code, call it inside `spawn_blocking`.
    pub fn load(model_dir: &Path, options: LocalEmbedderOptions) -> Result<Self, EmbedError> {
        let precision = match options.precision {
            Precision::Bf16 if !PackedBf16::supported() => {
                tracing::warn!("this CPU lacks AVX512_BF16: embedding in f32 instead of bf16");
                Precision::F32
            }
            p => p,
        };
        tracing::info!(
            precision = super::describe_precision(precision),
            "loading all-MiniLM-L6-v2"
        );
        let options = LocalEmbedderOptions {
            threads: options.threads.max(1),
            batch_size: options.batch_size.max(1),
            precision,
        };
        let config = weights::load_config(model_dir)?;
        let max_len = weights::load_max_seq_len(model_dir, &config)?;
        let tokenizer = TextTokenizer::load(model_dir, max_len)?;
        let weights = weights::load_weights(model_dir, config, precision)?;
        let model = Arc::new(Model { weights, tokenizer });

        let queue = Arc::new(JobQueue::default());
        for i in 0..options.threads {
            let model = Arc::clone(&model);
            let queue = Arc::clone(&queue);
            let batch_size = options.batch_size;
            std::thread::Builder::new()
                .name(format!("embed-worker-{i}"))
                .spawn(move || worker(&model, &queue, batch_size))
                .map_err(|e| EmbedError::ModelLoad {
                    path: model_dir.to_path_buf(),
                    message: format!("starting embedding worker threads: {e}"),
                })?;
        }
        Ok(Self { queue, options })
    }

    /// The options in effect: as given, except that zero counts became 1
    /// and `precision` is F32 where bf16 is not supported.
    pub fn options(&self) -> &LocalEmbedderOptions {
        &self.options
    }
}

#[async_trait::async_trait]
impl Embedder for LocalEmbedder {
    async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, EmbedError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        // Like sentence-transformers, batch texts of similar length together,
        // longest first. Batches are packed, so this is not about padding:
        // it makes batches similar in cost, and starting with the longest
        // keeps one worker from finishing long after the other.
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(texts[i].len()));
        let shared: Arc<[String]> = texts.into();

        // Queue every batch before awaiting any, so all workers get busy.
        let mut pending = Vec::with_capacity(order.len().div_ceil(self.options.batch_size));
        for indices in order.chunks(self.options.batch_size) {
            let (reply, result) = oneshot::channel();
            let job = Job {
                texts: Arc::clone(&shared),
                indices: indices.to_vec(),
                reply,
            };
            self.queue.push(job);
            pending.push((indices, result));
        }

        let mut vectors = vec![Vec::new(); texts.len()];
        for (indices, result) in pending {
            let flat = result.await.map_err(|_| {
                EmbedError::Inference("an embedding worker stopped mid-batch".into())
            })??;
            for (&i, v) in indices.iter().zip(flat.chunks_exact(DIMENSION)) {
                vectors[i] = v.to_vec();
            }
        }
        Ok(vectors)
    }
}

fn worker(model: &Model, queue: &JobQueue, batch_size: usize) {
    let mut ws = Workspace::default();
    let mut ids = Vec::new();
    let mut lens = Vec::new();
    while let Some(jobs) = queue.take(batch_size) {
        ids.clear();
        lens.clear();
        // Tokenize job by job, so that a text the tokenizer rejects fails
        // only the call it came from, not the calls merged with it.
        let mut batch = Vec::with_capacity(jobs.len());
        for job in jobs {
            // The caller stopped waiting (its future was dropped): skip it.
            if job.reply.is_closed() {
                continue;
            }
            let tokenized = catch_unwind(AssertUnwindSafe(|| {
                tokenize_job(model, &job, &mut ids, &mut lens)
            }))
            .unwrap_or_else(|_| Err(EmbedError::Tokenize("the tokenizer panicked".into())));
            match tokenized {
                Ok(()) => batch.push(job),
                // An error here only means the caller has gone away.
                Err(e) => drop(job.reply.send(Err(e))),
            }
        }
        if batch.is_empty() {
            continue;
        }

        let mut out = vec![0.0; lens.len() * DIMENSION];
        let ran = catch_unwind(AssertUnwindSafe(|| {
            bert::forward(&model.weights, &ids, &lens, &mut ws, &mut out);
        }));
        if ran.is_err() {
            // Keep the worker alive for the next batch; its buffers may be
            // half-written, so start over with fresh ones.
            ws = Workspace::default();
            for job in batch {
                let failed = EmbedError::Inference("embedding worker panicked".into());
                drop(job.reply.send(Err(failed)));
            }
            continue;
        }
        let mut rest = out.as_slice();
        for job in batch {
            let (mine, tail) = rest.split_at(job.indices.len() * DIMENSION);
            rest = tail;
            drop(job.reply.send(Ok(mine.to_vec())));
        }
    }
}

/// Appends the token ids and lengths of `job`'s texts to the batch, or
/// leaves the batch as it was and says why the tokenizer refused.
fn tokenize_job(
    model: &Model,
    job: &Job,
    ids: &mut Vec<u32>,
    lens: &mut Vec<usize>,
) -> Result<(), EmbedError> {
    let (ids_before, lens_before) = (ids.len(), lens.len());
    for &i in &job.indices {
        match model.tokenizer.encode_into(&job.texts[i], ids) {
            Ok(len) => lens.push(len),
            Err(e) => {
                ids.truncate(ids_before);
                lens.truncate(lens_before);
                return Err(e);
            }
        }
    }
    Ok(())
}
