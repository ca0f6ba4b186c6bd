/** Sum of the samples of Prometheus metric `name` at `${url}/metrics` whose label set contains `labels` (e.g. `reason="429"`); 0 when none. */
export async function metricWith(url: string, name: string, labels: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) && l.includes(labels))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}
