// Formatting the dashboard's figures (pure).

export function percent(part, whole) {
  if (!whole) return "—";
  return `${((100 * part) / whole).toFixed(1)}%`;
}

// 95 -> "1分35秒"; null -> "—".
export function duration(seconds) {
  if (seconds === null || seconds === undefined) return "—";
  if (seconds < 60) return `${seconds}秒`;
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  if (minutes < 60) return rest ? `${minutes}分${rest}秒` : `${minutes}分`;
  return `${Math.floor(minutes / 60)}小时${minutes % 60}分`;
}

export function average(value) {
  return value === null || value === undefined ? "—" : value.toFixed(2);
}

export function dayLabel(isoDate) {
  const [, month, day] = isoDate.split("-");
  return `${Number(month)}月${Number(day)}日`;
}

export function hourLabel(hour) {
  return `${String(hour).padStart(2, "0")}:00`;
}
