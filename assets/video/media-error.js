// Why the camera or microphone could not be opened, in words a bridge point's staff can
// act on (vi, en), instead of the browser's "NotFoundError Requested device not found".

const REASONS = {
  NotFoundError: [
    'Không tìm thấy camera hoặc micrô. Hãy cắm camera, micrô rồi tải lại trang.',
    'No camera or microphone was found. Plug them in, then reload the page.',
  ],
  NotAllowedError: [
    'Trình duyệt chưa được phép dùng camera, micrô. Hãy cho phép (biểu tượng ổ khoá cạnh địa chỉ trang) rồi tải lại trang.',
    'The browser may not use the camera or microphone. Allow them (the padlock beside the address), then reload the page.',
  ],
  NotReadableError: [
    'Camera hoặc micrô đang bị chương trình khác dùng. Hãy đóng chương trình đó rồi tải lại trang.',
    'Another program is using the camera or microphone. Close it, then reload the page.',
  ],
  OverconstrainedError: [
    'Camera không hỗ trợ độ phân giải yêu cầu. Hãy thử camera khác rồi tải lại trang.',
    'The camera cannot give the requested picture size. Try another camera, then reload the page.',
  ],
  SecurityError: [
    'Trang cần HTTPS để dùng camera, micrô. Hãy mở địa chỉ https:// của Trung tâm.',
    'The page needs HTTPS to use the camera or microphone. Open the centre\'s https:// address.',
  ],
};
// Older names some browsers still give for the same causes.
const ALIASES = {
  DevicesNotFoundError: 'NotFoundError',
  PermissionDeniedError: 'NotAllowedError',
  TrackStartError: 'NotReadableError',
  AbortError: 'NotReadableError',
};

/** [vi, en] for an error from getUserMedia; an unknown one keeps its own text after ours. */
export function explainMediaError(err) {
  const name = ALIASES[err?.name] ?? err?.name;
  const known = REASONS[name];
  if (known) return known;
  const raw = `${err?.name || ''} ${err?.message || err || ''}`.trim();
  return [`Không mở được camera, micrô (${raw}).`, `The camera or microphone could not be opened (${raw}).`];
}
