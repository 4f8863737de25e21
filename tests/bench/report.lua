-- wrk script of `make bench`: print wrk's own summary as one JSON line (prefix BENCH_JSON),
-- so the harness reads exact counters rather than the rounded human report.
-- Usage: wrk -t2 -c1000 -d5s --latency -s report.lua http://127.0.0.1/path
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"duration_us":%.0f,"requests":%.0f,"bytes":%.0f,' ..
    '"connect":%.0f,"read":%.0f,"write":%.0f,"status":%.0f,"timeout":%.0f,' ..
    '"p50_us":%.0f,"p99_us":%.0f,"max_us":%.0f}\n',
    summary.duration, summary.requests, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
