// A fan-out/fan-in pipeline with C++20 coroutines: fetch documents with
// Submit (futures), count their words in parallel chunks (a TaskGroup
// awaited with WaitAsync), one coroutine per document (Spawn), then await
// them all. No thread blocks while a coroutine waits.
#include <litepool/litepool.hpp>

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace {

constexpr int kDocuments = 8;
constexpr std::size_t kChunk = 256;  // characters counted per task

// A stand-in for I/O: document `id` is `id + 1` paragraphs of words;
// document 5 is missing (the fetch throws).
std::string Fetch(int id) {
  if (id == 5) throw std::runtime_error("document 5 not found");
  std::string text;
  for (int p = 0; p <= id; ++p) text += "the quick brown fox jumps over the lazy dog ";
  return text;
}

int CountWordsIn(const std::string& text, std::size_t begin, std::size_t end) {
  int words = 0;
  for (std::size_t i = begin; i < end; ++i) {
    const bool starts = text[i] != ' ' && (i == 0 || text[i - 1] == ' ');
    words += starts ? 1 : 0;
  }
  return words;
}

// One document: split into chunks, one task per chunk, and wait for the
// group without blocking a worker.
litepool::CoTask<int> CountWords(litepool::Pool& pool, std::string text) {
  const std::size_t chunks = (text.size() + kChunk - 1) / kChunk;
  std::vector<int> counts(chunks, 0);
  litepool::TaskGroup tg = pool.NewTaskGroup(static_cast<std::int64_t>(chunks));
  for (std::size_t c = 0; c < chunks; ++c) {
    pool.AddTask(tg.NewTaskOptions()
                     .SetTask([&, c] {
                       const std::size_t end = std::min(text.size(), (c + 1) * kChunk);
                       counts[c] = CountWordsIn(text, c * kChunk, end);
                     })
                     .SetAutoDone());
  }
  co_await tg.WaitAsync();  // suspends; resumes on a worker after the last chunk
  int total = 0;
  for (int n : counts) total += n;
  co_return total;
}

struct Summary {
  int documents = 0;
  int failed = 0;
  int words = 0;
};

litepool::CoTask<Summary> Pipeline(litepool::Pool& pool) {
  co_await pool.Schedule();  // run the pipeline itself on the pool

  // Fan out: start every fetch at once.
  std::vector<litepool::Future<std::string>> fetches;
  for (int id = 0; id < kDocuments; ++id) {
    fetches.push_back(pool.Submit([id] { return Fetch(id); }));
  }

  // As each fetch arrives, spawn a coroutine that counts its words.
  Summary summary;
  std::vector<std::pair<int, litepool::Future<int>>> counts;
  for (int id = 0; id < kDocuments; ++id) {
    try {
      std::string text = co_await fetches[id];  // rethrows the fetch's exception
      counts.emplace_back(id, pool.Spawn(CountWords(pool, std::move(text))));
    } catch (const std::exception& e) {
      std::printf("  document %d: fetch failed: %s\n", id, e.what());
      ++summary.failed;
    }
  }

  // Fan in: await every count.
  for (auto& [id, count] : counts) {
    const int words = co_await count;
    std::printf("  document %d: %d words\n", id, words);
    summary.words += words;
    ++summary.documents;
  }
  co_return summary;
}

}  // namespace

int main() {
  litepool::Pool pool(litepool::PoolOptions{.workers = 4, .queue_capacity = 64, .name = "pipeline"});
  std::printf("Fetching %d documents and counting their words on %zu workers:\n",
              kDocuments, pool.Workers());
  const Summary s = litepool::SyncWait(Pipeline(pool));  // the only blocking call
  // 9 words per paragraph; documents 0..7 have 1..8 paragraphs; 5 is missing.
  const int expected = 9 * (kDocuments * (kDocuments + 1) / 2 - 6);
  std::printf("Summary: %d documents counted, %d fetch failed; %d words in total (expected %d)\n",
              s.documents, s.failed, s.words, expected);
  return s.words == expected ? 0 : 1;
}
