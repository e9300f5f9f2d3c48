//! [`LocalEmbedder`]: all-MiniLM-L6-v2 run in-process on a pool of worker
//! threads.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};

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
    /// trades memory for fewer, larger matmuls; 32 measured best.
    pub batch_size: usize,
    /// F32 (the default) or, where the CPU supports it, bf16 matmuls.
    pub precision: Precision,
}

impl Default for LocalEmbedderOptions {
    fn default() -> Self {
        Self {
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            batch_size: 32,
            precision: Precision::F32,
        }
    }
}

/// The model and tokenizer, shared read-only by the workers.
#[derive(Debug)]
struct Model {
    weights: BertWeights,
    tokenizer: TextTokenizer,
}

/// One batch for a worker: which of the call's texts to embed, and where to
/// send the `indices.len() × DIMENSION` result.
struct Job {
    texts: Arc<[String]>,
    indices: Vec<usize>,
    reply: oneshot::Sender<Result<Vec<f32>, EmbedError>>,
}

/// all-MiniLM-L6-v2 in-process. Cheap to share behind an `Arc`; dropping it
/// stops the workers once the batches already queued are done.
pub struct LocalEmbedder {
    jobs: mpsc::Sender<Job>,
    options: LocalEmbedderOptions,
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

        let (jobs, receiver) = mpsc::channel::<Job>();
        // A plain channel behind a mutex is a fine multi-consumer queue here:
        // a job takes milliseconds, taking it from the queue microseconds.
        let receiver = Arc::new(Mutex::new(receiver));
        for i in 0..options.threads {
            let model = Arc::clone(&model);
            let receiver = Arc::clone(&receiver);
            std::thread::Builder::new()
                .name(format!("embed-worker-{i}"))
                .spawn(move || worker(&model, &receiver))
                .map_err(|e| EmbedError::ModelLoad {
                    path: model_dir.to_path_buf(),
                    message: format!("starting embedding worker threads: {e}"),
                })?;
        }
        Ok(Self { jobs, options })
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
            self.jobs
                .send(job)
                .map_err(|_| EmbedError::Inference("embedding workers have stopped".into()))?;
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

fn worker(model: &Model, jobs: &Mutex<mpsc::Receiver<Job>>) {
    let mut ws = Workspace::default();
    let mut ids = Vec::new();
    let mut lens = Vec::new();
    loop {
        // The lock is held only while waiting for the next job. Poisoning can
        // only come from a panic in recv(), which leaves the queue intact.
        let job = match jobs.lock().unwrap_or_else(PoisonError::into_inner).recv() {
            Ok(job) => job,
            // The embedder was dropped: no more jobs will come.
            Err(mpsc::RecvError) => return,
        };
        // The caller stopped waiting (its future was dropped): skip the work.
        if job.reply.is_closed() {
            continue;
        }
        let result = catch_unwind(AssertUnwindSafe(|| {
            embed_batch(model, &job, &mut ws, &mut ids, &mut lens)
        }))
        .unwrap_or_else(|_| {
            // Keep the worker alive for the next batch; its buffers may be
            // half-written, so start over with fresh ones.
            ws = Workspace::default();
            Err(EmbedError::Inference("embedding worker panicked".into()))
        });
        // An error here only means the caller has gone away meanwhile.
        let _ = job.reply.send(result);
    }
}

fn embed_batch(
    model: &Model,
    job: &Job,
    ws: &mut Workspace,
    ids: &mut Vec<u32>,
    lens: &mut Vec<usize>,
) -> Result<Vec<f32>, EmbedError> {
    ids.clear();
    lens.clear();
    for &i in &job.indices {
        lens.push(model.tokenizer.encode_into(&job.texts[i], ids)?);
    }
    let mut out = vec![0.0; job.indices.len() * DIMENSION];
    bert::forward(&model.weights, ids, lens, ws, &mut out);
    Ok(out)
}
