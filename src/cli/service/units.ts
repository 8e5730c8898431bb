/**
 * The text of the service definitions `pvt service install` writes: a systemd user unit (Linux) and a
 * launchd agent (macOS), both running `pvt daemon` for one profile with its data directory, and the
 * passphrase file when the profile is passphrase-protected (a keychain-protected one needs none).
 * Pure: builds strings from a command line; knows nothing about files or service managers.
 */

export interface ServiceSpec {
  /** The executable and its leading arguments (`node …/bin/pvt.js`, or the single executable). */
  readonly argv: readonly string[];
  readonly profile: string;
  readonly dataDir: string;
  readonly passphraseFile: string | undefined;
}

export function serviceName(profile: string): string {
  return `pvt-${profile}`;
}

export function launchdLabel(profile: string): string {
  return `dev.pvt.daemon.${profile}`;
}

/** `pvt daemon` with everything the service needs spelled out (no reliance on the environment). */
export function daemonArgv(spec: ServiceSpec): string[] {
  return [
    ...spec.argv,
    'daemon',
    '--home',
    spec.dataDir,
    '--profile',
    spec.profile,
    ...(spec.passphraseFile ? ['--passphrase-file', spec.passphraseFile] : []),
  ];
}

/** One word of an ExecStart= line (systemd.service "Command lines": quotes, \, % and $ escaped). */
export function systemdQuote(word: string): string {
  const escaped = word
    .replaceAll('\\', '\\\\')
    .replaceAll('"', '\\"')
    .replaceAll('%', '%%')
    .replaceAll('$', '$$$$');
  return /^[A-Za-z0-9_@%+=:,./$-]+$/.test(escaped) ? escaped : `"${escaped}"`;
}

/** Inverse of systemdQuote for the lines it writes (tests run the unit's command line with it). */
export function systemdUnquote(line: string): string[] {
  const words: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (const m of line.matchAll(re)) {
    const raw = m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] as string);
    words.push(raw.replaceAll('%%', '%').replaceAll('$$', '$'));
  }
  return words;
}

export function systemdUnit(spec: ServiceSpec): string {
  return `# Written by "pvt service install"; remove with "pvt service uninstall".
[Unit]
Description=pvt messenger daemon (profile ${spec.profile})
Documentation=man:pvt(1)

[Service]
Type=simple
ExecStart=${daemonArgv(spec).map(systemdQuote).join(' ')}
Restart=on-failure
RestartSec=5
UMask=0077
NoNewPrivileges=yes

[Install]
WantedBy=default.target
`;
}

const xml = (s: string): string =>
  s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

export function launchdPlist(spec: ServiceSpec, logFile: string): string {
  const args = daemonArgv(spec)
    .map((a) => `    <string>${xml(a)}</string>`)
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<!-- Written by "pvt service install"; remove with "pvt service uninstall". -->
<plist version="1.0">
<dict>
  <key>Label</key>
  <string>${xml(launchdLabel(spec.profile))}</string>
  <key>ProgramArguments</key>
  <array>
${args}
  </array>
  <key>RunAtLoad</key>
  <true/>
  <key>KeepAlive</key>
  <dict>
    <key>SuccessfulExit</key>
    <false/>
  </dict>
  <key>ThrottleInterval</key>
  <integer>5</integer>
  <key>Umask</key>
  <integer>63</integer>
  <key>StandardErrorPath</key>
  <string>${xml(logFile)}</string>
</dict>
</plist>
`;
}
