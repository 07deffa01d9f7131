// The camera and microphone of a bridge point or of the operations room. Either alone
// still joins: a point with only a camera (or only a microphone) is better than none.

export async function openDevices() {
  const video = { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } };
  const audio = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };
  try {
    return await navigator.mediaDevices.getUserMedia({ video, audio });
  } catch (err) {
    if (err.name !== 'NotFoundError' && err.name !== 'OverconstrainedError') throw err;
    for (const only of [{ video }, { audio }]) {
      try { return await navigator.mediaDevices.getUserMedia(only); } catch (e) { /* next */ }
    }
    throw err;
  }
}
