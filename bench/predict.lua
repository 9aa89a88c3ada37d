-- wrk script: POST /predict with BATCH sentences per request, drawn in turn from sentences.txt.
local batch = tonumber(os.getenv("BATCH") or "1")
local path = os.getenv("ROUTE") or "/predict"
local sentences = {}
for line in io.lines(os.getenv("SENTENCES") or "bench/sentences.txt") do
  if #line > 0 then
    sentences[#sentences + 1] = line:gsub('\\', '\\\\'):gsub('"', '\\"')
  end
end

local bodies = {}
for i = 1, #sentences do
  local texts = {}
  for j = 0, batch - 1 do
    texts[#texts + 1] = '"' .. sentences[((i + j - 1) % #sentences) + 1] .. '"'
  end
  bodies[i] = '{"texts": [' .. table.concat(texts, ",") .. ']}'
end

local counter = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

request = function()
  counter = counter + 1
  return wrk.format(nil, path, nil, bodies[(counter % #bodies) + 1])
end

done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d duration_s=%.3f rps=%.1f p50_ms=%.2f p99_ms=%.2f errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))
end
