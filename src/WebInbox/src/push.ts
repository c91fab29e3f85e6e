// This browser's push subscription (W3C Push API) for the duty phone: subscribing with the gateway's VAPID key and
// the registration the staff API stores. The device id is derived from the endpoint, so that nothing needs to be
// kept in the browser's storage; a changed subscription is a new device, and the old one is deleted once its push
// service answers 404 or 410.

/** A subscription as RegisterPushDevice takes it. */
export interface DeviceRegistration {
  deviceId: string;
  endpoint: string;
  p256dh: string;
  auth: string;
  label: string;
}

/** Why this browser cannot get push notifications, or null when it can. */
export function pushUnavailable(): "unsupported" | "ios-not-installed" | null {
  const supported = "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  if (supported) {
    return null;
  }
  // iOS and iPadOS (16.4 and later) offer push only to a web app added to the home screen.
  const ios = /iPhone|iPad|iPod/.test(navigator.userAgent) || (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
  return ios && !window.matchMedia("(display-mode: standalone)").matches ? "ios-not-installed" : "unsupported";
}

export async function currentSubscription(): Promise<PushSubscription | null> {
  if (pushUnavailable()) {
    return null;
  }
  const registration = await navigator.serviceWorker.ready;
  return registration.pushManager.getSubscription();
}

/** Asks for permission (after a click: browsers require a user gesture) and subscribes with the VAPID key. */
export async function subscribe(vapidPublicKey: string): Promise<PushSubscription> {
  const permission = await Notification.requestPermission();
  if (permission !== "granted") {
    throw new PermissionRefused();
  }
  const registration = await navigator.serviceWorker.ready;
  return registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: fromBase64Url(vapidPublicKey) });
}

export class PermissionRefused extends Error {}

/** What the staff API stores of a subscription: its endpoint, keys and a device id and label. */
export async function registrationOf(subscription: PushSubscription): Promise<DeviceRegistration> {
  const json = subscription.toJSON();
  return {
    deviceId: await deviceIdOf(subscription.endpoint),
    endpoint: subscription.endpoint,
    p256dh: json.keys?.p256dh ?? "",
    auth: json.keys?.auth ?? "",
    label: deviceLabel(),
  };
}

export async function deviceIdOf(endpoint: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(endpoint));
  return [...new Uint8Array(digest).slice(0, 16)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function deviceLabel(): string {
  const agent = navigator.userAgent;
  const system = /Android/.test(agent) ? "Android" : /iPhone|iPad/.test(agent) ? "iPhone/iPad" : /Windows/.test(agent) ? "Windows"
    : /Mac OS/.test(agent) ? "Mac" : /Linux/.test(agent) ? "Linux" : "Gerät";
  const browser = /Edg\//.test(agent) ? "Edge" : /Firefox\//.test(agent) ? "Firefox" : /Chrome\//.test(agent) ? "Chrome" : /Safari\//.test(agent) ? "Safari" : "Browser";
  return `${browser} auf ${system}`;
}

function fromBase64Url(value: string): Uint8Array<ArrayBuffer> {
  const base64 = value.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(value.length / 4) * 4, "=");
  const bytes = atob(base64);
  const result = new Uint8Array(new ArrayBuffer(bytes.length));
  for (let i = 0; i < bytes.length; i++) {
    result[i] = bytes.charCodeAt(i);
  }
  return result;
}
