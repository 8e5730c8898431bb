# Homebrew formula for pvt, following Homebrew's conventions for Node CLIs: the npm registry tarball,
# `npm install *std_npm_args` into libexec, the command symlinked into bin, the manual linked into man1,
# shell completions generated from `pvt completion`. The url and sha256 lines are rewritten by
# `node scripts/formula-sha.mjs` from `npm pack` (the tarball npm publish uploads).
class Pvt < Formula
  desc "Private, serverless, post-quantum, end-to-end encrypted messenger for the terminal"
  homepage "https://www.npmjs.com/package/pvt"
  url "https://registry.npmjs.org/pvt/-/pvt-0.1.0.tgz"
  sha256 "3fb28714d27cb6b47d4705cd1360d10b9b6b86f60192a7e0c6d1c51a40c63d51"
  license "MIT"

  depends_on "node"

  def install
    system "npm", "install", *std_npm_args
    bin.install_symlink libexec.glob("bin/*")
    man1.install_symlink libexec/"lib/node_modules/pvt/man/pvt.1"
    generate_completions_from_executable(bin/"pvt", "completion")
  end

  test do
    ENV["PVT_HOME"] = (testpath/"pvt").to_s
    assert_equal version.to_s, shell_output("#{bin}/pvt --version").strip
    (testpath/"passphrase").write "brew test passphrase\n"
    output = shell_output("#{bin}/pvt init --name Brew --passphrase-file #{testpath}/passphrase")
    assert_match "created Brew", output
    assert_match "Brew", shell_output("#{bin}/pvt whoami --passphrase-file #{testpath}/passphrase")
  end
end
