-- wrk script for the filewcount benchmarks (bench/run drives it; see docs/performance.md).
--
-- Environment (read by every wrk thread):
--   BENCH_BODY_BYTES  0: GET / (the upload form). N > 0: POST /file_upload, multipart/form-data with one
--                     file part `new_file` of N bytes of text, as a browser sends it.
--   BENCH_RATE        0: closed loop, as fast as the connections go (throughput). R > 0: requests are
--                     paced to R per second in total, so every variant gets the same offered load
--                     (latency comparison). wrk 4 has no constant-rate mode (wrk2 is not packaged), so
--                     each thread keeps its own send schedule through wrk's delay() hook. Latency is
--                     measured from the actual send, not the scheduled one: keep R well below capacity
--                     (bench/run checks the achieved rate) or queueing is hidden.
--   BENCH_THREADS     the -t given to wrk (to split the rate between threads).
--
-- done() prints one machine-readable line, BENCH_RESULT key=value ..., that bench/run parses.

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clk_id, bench_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local ts = ffi.new("bench_timespec")

local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local body_bytes = tonumber(os.getenv("BENCH_BODY_BYTES") or "0")
local rate = tonumber(os.getenv("BENCH_RATE") or "0")
local threads = tonumber(os.getenv("BENCH_THREADS") or "1")

-- Text of words separated by spaces and newlines, ending in a newline like the agent's probe text.
local function text_of(n)
  local line = "the quick brown fox jumps over the lazy dog while filewcount counts every word\n"
  local reps = math.floor(n / #line)
  local parts = { string.rep(line, reps) }
  local rest = n - reps * #line
  if rest > 0 then
    parts[2] = string.rep("x", rest - 1) .. "\n"
  end
  return table.concat(parts)
end

if body_bytes > 0 then
  local boundary = "----filewcountbench7MA4YWxkTrZu0gW"
  wrk.method = "POST"
  wrk.path = "/file_upload"
  wrk.body = "--" .. boundary .. "\r\n"
      .. "Content-Disposition: form-data; name=\"new_file\"; filename=\"bench.txt\"\r\n"
      .. "Content-Type: text/plain\r\n\r\n"
      .. text_of(body_bytes)
      .. "\r\n--" .. boundary .. "--\r\n"
  wrk.headers["Content-Type"] = "multipart/form-data; boundary=" .. boundary
else
  wrk.method = "GET"
  wrk.path = "/"
end
wrk.headers["User-Agent"] = "filewcount-bench/wrk"
local request_body_bytes = wrk.body and #wrk.body or 0

if rate > 0 then
  local interval = 1000 * threads / rate -- ms between two sends of this thread
  local next_send = nil

  -- Called before each request a connection is about to send: hand it the next free slot of this
  -- thread's schedule. A thread that has fallen behind does not burst to catch up (the achieved rate
  -- then shows the shortfall).
  function delay()
    local now = now_ms()
    if next_send == nil or next_send < now then
      next_send = now
    end
    local wait = next_send - now
    next_send = next_send + interval
    return math.floor(wait)
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "BENCH_RESULT requests=%d seconds=%.3f rps=%.1f body_bytes=%d upload_mb_s=%.2f "
      .. "p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f errors=%d non2xx=%d\n",
    summary.requests, seconds, summary.requests / seconds, request_body_bytes,
    request_body_bytes * summary.requests / seconds / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000,
    latency.max / 1000, e.connect + e.read + e.write + e.timeout, e.status))
end
