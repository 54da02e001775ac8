//! Sparse TF-IDF rows and the linear learners that can be trained on them: a linear
//! SVM and logistic regression by dual coordinate descent (the algorithms of
//! LIBLINEAR, Hsieh et al. 2008 and Yu et al. 2011), NB-SVM (Wang & Manning 2012),
//! and multinomial / complement naive Bayes, all one-vs-rest, written here for sparse
//! rows since the Rust ML crates (linfa, smartcore) work on dense matrices, which at
//! 10,000 articles and 100,000 features would not fit in memory.

use std::collections::HashMap;

/// The vocabulary: which hashed features the model keeps, their column and IDF.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    pub columns: HashMap<u64, u32>,
    pub idf: Vec<f32>,
}

/// The most columns kept; beyond it the features seen in the fewest articles go.
/// 2^18 columns × 23 labels × 4 bytes is 24 MB of weights, inside the 50 MB budget.
pub const MAX_COLUMNS: usize = 1 << 18;

/// A sparse row: (column, value), sorted by column.
pub type Row = Vec<(u32, f32)>;

/// The low bits of a packed feature that hold its count in the article.
const COUNT_BITS: u64 = 0xFFFF;

/// One feature of an article in 8 bytes: its hash with the low 16 bits replaced by
/// its count (at most 65,535). Packed, the features of 10,000 training articles take
/// half the memory of (hash, count) pairs; 48 bits of hash still make two features
/// of one vocabulary sharing a key vanishingly rare.
pub fn pack(features: &[(u64, u32)]) -> Vec<u64> {
    features
        .iter()
        .map(|&(h, n)| (h & !COUNT_BITS) | u64::from(n).min(COUNT_BITS))
        .collect()
}

/// The hash and count of a packed feature.
fn unpack(f: u64) -> (u64, u32) {
    (f & !COUNT_BITS, (f & COUNT_BITS) as u32)
}

impl Vocabulary {
    /// Keeps the features found in at least `min_df` of `docs` (at most
    /// [`MAX_COLUMNS`], the most frequent first; ties by hash, so it is
    /// deterministic), with smoothed IDF `ln((1 + n) / (1 + df)) + 1`.
    pub fn build(docs: &[Vec<u64>], min_df: u32) -> Vocabulary {
        Vocabulary::build_weighted(docs, min_df, [1.0; 3])
    }

    /// [`Vocabulary::build`], each feature's IDF multiplied by the weight of its kind
    /// ([`crate::learn::features::kind`]).
    pub fn build_weighted(docs: &[Vec<u64>], min_df: u32, kinds: [f32; 3]) -> Vocabulary {
        let mut df: HashMap<u64, u32> = HashMap::new();
        for doc in docs {
            for &f in doc {
                *df.entry(unpack(f).0).or_insert(0) += 1;
            }
        }
        let mut kept: Vec<(u64, u32)> = df.into_iter().filter(|&(_, d)| d >= min_df).collect();
        kept.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        kept.truncate(MAX_COLUMNS);
        kept.sort_unstable_by_key(|&(h, _)| h);
        let n = docs.len() as f32;
        let mut columns = HashMap::with_capacity(kept.len());
        let mut idf = Vec::with_capacity(kept.len());
        for (i, &(h, d)) in kept.iter().enumerate() {
            columns.insert(h, i as u32);
            let weight = kinds[crate::learn::features::kind(h).min(2)];
            idf.push((((1.0 + n) / (1.0 + d as f32)).ln() + 1.0) * weight);
        }
        Vocabulary { columns, idf }
    }

    /// The sublinear TF-IDF row of a document, L2-normalized: `(1 + ln tf) × idf`.
    pub fn row(&self, doc: &[u64]) -> Row {
        let mut row: Row = doc
            .iter()
            .map(|&f| unpack(f))
            .filter_map(|(h, tf)| {
                let c = *self.columns.get(&h)?;
                Some((c, (1.0 + (tf as f32).ln()) * self.idf[c as usize]))
            })
            .collect();
        row.sort_unstable_by_key(|&(c, _)| c);
        let norm = row.iter().map(|&(_, v)| v * v).sum::<f32>().sqrt();
        if norm > 0.0 {
            for (_, v) in &mut row {
                *v /= norm;
            }
        }
        row
    }

    pub fn len(&self) -> usize {
        self.idf.len()
    }

    pub fn is_empty(&self) -> bool {
        self.idf.is_empty()
    }

    /// Bytes held: the map's entries (key, value, a control byte, load factor 7/8)
    /// and the IDF column.
    pub fn bytes(&self) -> usize {
        self.columns.capacity() * (8 + 4 + 1) * 8 / 7 + self.idf.capacity() * 4
    }
}

/// Which learner, and its settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Learner {
    /// Linear SVM, L2-regularized, hinge (`squared: false`) or squared hinge loss.
    Svm { c: f32, squared: bool },
    /// L2-regularized logistic regression.
    LogReg { c: f32 },
    /// NB-SVM: an SVM on features scaled by their naive-Bayes log-count ratio.
    NbSvm { c: f32, alpha: f32 },
    /// Multinomial naive Bayes, one label against the rest.
    Nb { alpha: f32 },
}

impl Learner {
    pub fn name(&self) -> String {
        match *self {
            Learner::Svm { c, squared: false } => format!("linear SVM, hinge, C={c}"),
            Learner::Svm { c, squared: true } => format!("linear SVM, squared hinge, C={c}"),
            Learner::LogReg { c } => format!("logistic regression, C={c}"),
            Learner::NbSvm { c, alpha } => format!("NB-SVM, C={c}, alpha={alpha}"),
            Learner::Nb { alpha } => format!("multinomial NB, alpha={alpha}"),
        }
    }
}

/// One label's trained scorer: weights over the columns and a bias.
pub struct Trained {
    pub weights: Vec<f32>,
    pub bias: f32,
}

/// A small deterministic generator (SplitMix64) for the training order.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in 0..n.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

fn dot(w: &[f32], row: &Row, scale: Option<&[f32]>) -> f32 {
    match scale {
        None => row.iter().map(|&(c, v)| w[c as usize] * v).sum(),
        Some(s) => row
            .iter()
            .map(|&(c, v)| w[c as usize] * v * s[c as usize])
            .sum(),
    }
}

/// Trains one label. `positive[i]` says whether row `i` has it; `weight_positive`
/// multiplies C for the positive rows (rare labels get more).
pub fn train(
    learner: Learner,
    rows: &[&Row],
    positive: &[bool],
    columns: usize,
    weight_positive: f32,
    seed: u64,
) -> Trained {
    match learner {
        Learner::Svm { c, squared } => dual_cd(
            rows,
            positive,
            columns,
            c,
            weight_positive,
            squared,
            None,
            seed,
        ),
        Learner::LogReg { c } => logreg_dual(rows, positive, columns, c, weight_positive, seed),
        Learner::NbSvm { c, alpha } => {
            let scale = nb_ratio(rows, positive, columns, alpha);
            let mut t = dual_cd(
                rows,
                positive,
                columns,
                c,
                weight_positive,
                true,
                Some(&scale),
                seed,
            );
            for (w, s) in t.weights.iter_mut().zip(&scale) {
                *w *= s;
            }
            t
        }
        Learner::Nb { alpha } => naive_bayes(rows, positive, columns, alpha),
    }
}

/// Trains every label on the same rows: the linear SVM all labels at once (one pass
/// over the rows updates every label, which reads each row once instead of once per
/// label), the other learners one label after another.
pub fn train_all(
    learner: Learner,
    rows: &[&Row],
    positive: &[Vec<bool>],
    columns: usize,
    weight_positive: &[f32],
    seeds: &[u64],
) -> Vec<Trained> {
    match learner {
        Learner::Svm { c, squared } if !positive.is_empty() => joint_svm(
            rows,
            positive,
            columns,
            c,
            weight_positive,
            squared,
            seeds.first().copied().unwrap_or(1),
        ),
        _ => positive
            .iter()
            .zip(weight_positive)
            .zip(seeds)
            .map(|((p, &w), &seed)| train(learner, rows, p, columns, w, seed))
            .collect(),
    }
}

/// [`dual_cd`] for every label at once, without shrinking: for each row (in a
/// shuffled order), every label's coordinate step, with the weights held feature by
/// feature (`w[column * labels + label]`) so a row's columns are read and written
/// once for all labels. Stops when every label has converged (LIBLINEAR's projected
/// gradient test) or after [`JOINT_EPOCHS`] passes.
fn joint_svm(
    rows: &[&Row],
    positive: &[Vec<bool>],
    columns: usize,
    c: f32,
    weight_positive: &[f32],
    squared: bool,
    seed: u64,
) -> Vec<Trained> {
    let labels = positive.len();
    let n = rows.len();
    let mut w = vec![0.0f32; columns * labels];
    let mut b = vec![0.0f32; labels];
    let mut alpha = vec![0.0f32; n * labels];
    let cost = |l: usize, i: usize| {
        if positive[l][i] {
            c * weight_positive[l]
        } else {
            c
        }
    };
    let sq: Vec<f32> = rows
        .iter()
        .map(|row| row.iter().map(|&(_, v)| v * v).sum::<f32>() + 1.0)
        .collect();
    let mut index: Vec<usize> = (0..n).collect();
    let mut rng = Rng::new(seed);
    let mut done = vec![false; labels];
    let mut g = vec![0.0f32; labels];
    let mut d = vec![0.0f32; labels];
    for _ in 0..JOINT_EPOCHS {
        rng.shuffle(&mut index);
        let mut pg_max = vec![f32::NEG_INFINITY; labels];
        let mut pg_min = vec![f32::INFINITY; labels];
        for &i in &index {
            let row = rows[i];
            g.copy_from_slice(&b);
            for &(col, v) in row.iter() {
                let at = col as usize * labels;
                for (g, w) in g.iter_mut().zip(&w[at..at + labels]) {
                    *g += w * v;
                }
            }
            let mut any = false;
            for l in 0..labels {
                d[l] = 0.0;
                if done[l] {
                    continue;
                }
                let y = if positive[l][i] { 1.0 } else { -1.0 };
                let (upper, diag) = if squared {
                    (f32::INFINITY, 0.5 / cost(l, i))
                } else {
                    (cost(l, i), 0.0)
                };
                let a = &mut alpha[i * labels + l];
                let grad = y * g[l] - 1.0 + *a * diag;
                let pg = if *a == 0.0 {
                    grad.min(0.0)
                } else if *a >= upper {
                    grad.max(0.0)
                } else {
                    grad
                };
                pg_max[l] = pg_max[l].max(pg);
                pg_min[l] = pg_min[l].min(pg);
                if pg.abs() > 1e-12 {
                    let old = *a;
                    *a = (old - grad / (sq[i] + diag)).clamp(0.0, upper);
                    d[l] = (*a - old) * y;
                    b[l] += d[l];
                    any = true;
                }
            }
            if any {
                for &(col, v) in row.iter() {
                    let at = col as usize * labels;
                    for (w, d) in w[at..at + labels].iter_mut().zip(&d) {
                        *w += d * v;
                    }
                }
            }
        }
        for l in 0..labels {
            if pg_max[l] - pg_min[l] <= 0.1 {
                done[l] = true;
            }
        }
        if done.iter().all(|&x| x) {
            break;
        }
    }
    (0..labels)
        .map(|l| Trained {
            weights: (0..columns).map(|col| w[col * labels + l]).collect(),
            bias: b[l],
        })
        .collect()
}

/// Most passes of `joint_svm`: labels the words cannot separate never converge, and
/// each pass costs the same; past this the scores barely move (BENCHMARKS.md).
pub const JOINT_EPOCHS: usize = 10;

/// The log-count ratio of NB-SVM: `ln((α + Σ pos x / ‖…‖₁) / (α + Σ neg x / ‖…‖₁))`.
fn nb_ratio(rows: &[&Row], positive: &[bool], columns: usize, alpha: f32) -> Vec<f32> {
    let mut p = vec![alpha; columns];
    let mut q = vec![alpha; columns];
    for (row, &pos) in rows.iter().zip(positive) {
        let into = if pos { &mut p } else { &mut q };
        for &(c, v) in row.iter() {
            into[c as usize] += v;
        }
    }
    let (sp, sq) = (p.iter().sum::<f32>(), q.iter().sum::<f32>());
    p.iter()
        .zip(&q)
        .map(|(a, b)| ((a / sp) / (b / sq)).ln().abs().max(0.05))
        .collect()
}

/// Dual coordinate descent for the L2-regularized linear SVM (LIBLINEAR's solver 1
/// and 3, with its shrinking), with a bias column of value 1.
#[allow(clippy::too_many_arguments)]
fn dual_cd(
    rows: &[&Row],
    positive: &[bool],
    columns: usize,
    c: f32,
    weight_positive: f32,
    squared: bool,
    scale: Option<&[f32]>,
    seed: u64,
) -> Trained {
    let n = rows.len();
    let mut w = vec![0.0f32; columns];
    let mut b = 0.0f32;
    let mut alpha = vec![0.0f32; n];
    let y: Vec<f32> = positive
        .iter()
        .map(|&p| if p { 1.0 } else { -1.0 })
        .collect();
    let cost = |i: usize| if positive[i] { c * weight_positive } else { c };
    let (upper, diag): (Vec<f32>, Vec<f32>) = (0..n)
        .map(|i| {
            if squared {
                (f32::INFINITY, 0.5 / cost(i))
            } else {
                (cost(i), 0.0)
            }
        })
        .unzip();
    let sq: Vec<f32> = rows
        .iter()
        .map(|row| match scale {
            None => row.iter().map(|&(_, v)| v * v).sum::<f32>() + 1.0,
            Some(s) => {
                row.iter()
                    .map(|&(c, v)| (v * s[c as usize]).powi(2))
                    .sum::<f32>()
                    + 1.0
            }
        })
        .collect();
    let mut index: Vec<usize> = (0..n).collect();
    let mut rng = Rng::new(seed);
    let mut active = n;
    let (mut pg_max_old, mut pg_min_old) = (f32::INFINITY, f32::NEG_INFINITY);
    let eps = 0.1f32;
    for _ in 0..200 {
        let (mut pg_max, mut pg_min) = (f32::NEG_INFINITY, f32::INFINITY);
        rng.shuffle(&mut index[..active]);
        let mut s = 0;
        while s < active {
            let i = index[s];
            let row = &rows[i];
            let g = y[i] * (dot(&w, row, scale) + b) - 1.0 + alpha[i] * diag[i];
            let mut pg = 0.0;
            if alpha[i] == 0.0 {
                if g > pg_max_old {
                    active -= 1;
                    index.swap(s, active);
                    continue;
                } else if g < 0.0 {
                    pg = g;
                }
            } else if alpha[i] >= upper[i] {
                if g < pg_min_old {
                    active -= 1;
                    index.swap(s, active);
                    continue;
                } else if g > 0.0 {
                    pg = g;
                }
            } else {
                pg = g;
            }
            pg_max = pg_max.max(pg);
            pg_min = pg_min.min(pg);
            if pg.abs() > 1e-12 {
                let old = alpha[i];
                alpha[i] = (alpha[i] - g / (sq[i] + diag[i])).clamp(0.0, upper[i]);
                let d = (alpha[i] - old) * y[i];
                match scale {
                    None => row.iter().for_each(|&(c, v)| w[c as usize] += d * v),
                    Some(sc) => row
                        .iter()
                        .for_each(|&(c, v)| w[c as usize] += d * v * sc[c as usize]),
                }
                b += d;
            }
            s += 1;
        }
        if pg_max - pg_min <= eps {
            if active == n {
                break;
            }
            active = n;
            pg_max_old = f32::INFINITY;
            pg_min_old = f32::NEG_INFINITY;
            continue;
        }
        pg_max_old = if pg_max <= 0.0 { f32::INFINITY } else { pg_max };
        pg_min_old = if pg_min >= 0.0 {
            f32::NEG_INFINITY
        } else {
            pg_min
        };
    }
    Trained {
        weights: w,
        bias: b,
    }
}

/// Dual coordinate descent for L2-regularized logistic regression (Yu, Huang & Lin
/// 2011, LIBLINEAR's solver 7): each α solved by a few Newton steps on its
/// one-variable subproblem.
fn logreg_dual(
    rows: &[&Row],
    positive: &[bool],
    columns: usize,
    c: f32,
    weight_positive: f32,
    seed: u64,
) -> Trained {
    let n = rows.len();
    let y: Vec<f32> = positive
        .iter()
        .map(|&p| if p { 1.0 } else { -1.0 })
        .collect();
    let upper: Vec<f32> = (0..n)
        .map(|i| if positive[i] { c * weight_positive } else { c })
        .collect();
    let sq: Vec<f32> = rows
        .iter()
        .map(|row| row.iter().map(|&(_, v)| v * v).sum::<f32>() + 1.0)
        .collect();
    // α and its complement C − α, both kept away from the bounds.
    let mut alpha: Vec<f32> = upper.iter().map(|u| (0.001 * u).min(1e-8)).collect();
    let mut w = vec![0.0f32; columns];
    let mut b = 0.0f32;
    for i in 0..n {
        let d = alpha[i] * y[i];
        rows[i].iter().for_each(|&(c, v)| w[c as usize] += d * v);
        b += d;
    }
    let mut index: Vec<usize> = (0..n).collect();
    let mut rng = Rng::new(seed);
    for _ in 0..60 {
        rng.shuffle(&mut index);
        let mut largest = 0.0f32;
        for &i in &index {
            let u = upper[i];
            let ywx = y[i] * (dot(&w, rows[i], None) + b);
            let a_old = alpha[i];
            let (q, a) = (sq[i], a_old);
            // Minimize over z in (0, u): ½ q (z − a)² + ywx (z − a) + z ln z + (u − z) ln(u − z).
            let mut z = a;
            for _ in 0..10 {
                let g = q * (z - a) + ywx + (z / (u - z)).ln();
                let h = q + u / (z * (u - z));
                let mut next = z - g / h;
                if next <= 0.0 {
                    next = z * 0.1;
                } else if next >= u {
                    next = z + (u - z) * 0.9;
                }
                z = next;
                if g.abs() < 1e-3 {
                    break;
                }
            }
            let z = z.clamp(1e-12 * u, u * (1.0 - 1e-7));
            let d = (z - a_old) * y[i];
            if d != 0.0 {
                rows[i].iter().for_each(|&(c, v)| w[c as usize] += d * v);
                b += d;
                alpha[i] = z;
            }
            largest = largest.max((z - a_old).abs() / u);
        }
        if largest < 1e-3 {
            break;
        }
    }
    Trained {
        weights: w,
        bias: b,
    }
}

/// Naive Bayes on the TF-IDF rows, one label against the rest: the weight of a
/// column is `ln P(col | label) − ln P(col | rest)`, the bias the log prior ratio.
/// (Complement NB, Rennie et al. 2003, is the same thing for two classes, so it is
/// not a candidate of its own one-vs-rest.)
fn naive_bayes(rows: &[&Row], positive: &[bool], columns: usize, alpha: f32) -> Trained {
    let mut p = vec![alpha; columns];
    let mut q = vec![alpha; columns];
    let mut npos = 0usize;
    for (row, &pos) in rows.iter().zip(positive) {
        npos += usize::from(pos);
        let into = if pos { &mut p } else { &mut q };
        for &(c, v) in row.iter() {
            into[c as usize] += v;
        }
    }
    let (sp, sq) = (p.iter().sum::<f32>(), q.iter().sum::<f32>());
    let weights: Vec<f32> = p
        .iter()
        .zip(&q)
        .map(|(a, b)| (a / sp).ln() - (b / sq).ln())
        .collect();
    let n = rows.len() as f32;
    let npos = npos as f32;
    let bias = ((npos + 1.0) / (n - npos + 1.0)).ln();
    Trained { weights, bias }
}
