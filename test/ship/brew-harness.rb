# A small stand-in for Homebrew's formula DSL, enough to run Formula/pvt.rb's `install` and `test do`
# blocks outside Homebrew: `std_npm_args` does what Homebrew's Language::Node does (strip the pack
# scripts, `npm pack --ignore-scripts`, then the same `npm install` flags into libexec), and
# `generate_completions_from_executable`, `install_symlink`, `shell_output` and the assertions behave
# like theirs. Usage: ruby brew-harness.rb FORMULA BUILDPATH PREFIX TESTPATH NPM_CACHE
require "fileutils"
require "json"
require "open3"
require "pathname"

class Pathname
  def install_symlink(*sources)
    mkpath
    sources.flatten.each do |src|
      src = Pathname(src)
      target = self / src.basename
      target.unlink if target.symlink? || target.exist?
      target.make_symlink(src)
    end
  end
end

class Formula
  class << self
    attr_reader :test_block, :formula_url

    def desc(*) = nil
    def homepage(*) = nil
    def license(*) = nil
    def sha256(*) = nil
    def depends_on(*) = nil
    def url(value) = (@formula_url = value)
    def test(&block) = (@test_block = block)
  end

  attr_reader :prefix, :buildpath, :testpath

  def initialize(prefix, buildpath, testpath, npm_cache)
    @prefix = Pathname(prefix)
    @buildpath = Pathname(buildpath)
    @testpath = Pathname(testpath)
    @npm_cache = npm_cache
  end

  def version = self.class.formula_url[/-(\d+\.\d+\.\d+[^\/]*)\.tgz\z/, 1]
  def libexec = prefix / "libexec"
  def bin = prefix / "bin"
  def man1 = prefix / "share/man/man1"
  def bash_completion = prefix / "etc/bash_completion.d"
  def zsh_completion = prefix / "share/zsh/site-functions"
  def fish_completion = prefix / "share/fish/vendor_completions.d"

  def system(*args)
    out, status = Open3.capture2e(*args.map(&:to_s))
    raise "failed (#{status.exitstatus}): #{args.join(" ")}\n#{out[-3000..] || out}" unless status.success?
  end

  # Homebrew's std_npm_args(prefix: libexec, ignore_scripts: true) → Language::Node.std_npm_install_args.
  def std_npm_args(prefix: libexec, ignore_scripts: true)
    package = Pathname("package.json")
    pkg = JSON.parse(package.read)
    %w[prepare prepack postpack].each { |s| pkg["scripts"]&.delete(s) }
    package.write(JSON.pretty_generate(pkg))
    out, status = Open3.capture2("npm", "pack", "--ignore-scripts")
    raise "npm pack failed" unless status.success?
    pack = out.lines.last.chomp
    (Pathname(prefix) / "lib").mkpath
    args = %W[--loglevel=silly --global --build-from-source --min-release-age=1 --cache=#{@npm_cache}]
    args << "--ignore-scripts" if ignore_scripts
    args += %W[--prefix=#{prefix} #{Dir.pwd}/#{pack}]
    args << "--unsafe-perm" if Process.uid.zero?
    args
  end

  def generate_completions_from_executable(*commands, base_name: nil, shells: %i[bash zsh fish])
    base_name ||= "pvt"
    targets = { bash: bash_completion / base_name, zsh: zsh_completion / "_#{base_name}",
                fish: fish_completion / "#{base_name}.fish" }
    shells.each do |shell|
      out, status = Open3.capture2(*commands.map(&:to_s), shell.to_s)
      raise "completion for #{shell} failed" unless status.success?
      targets[shell].dirname.mkpath
      targets[shell].write(out)
    end
  end

  def shell_output(cmd, result = 0)
    out, status = Open3.capture2(cmd)
    raise "#{cmd} exited #{status.exitstatus}, expected #{result}" unless status.exitstatus == result
    out
  end

  def assert_equal(expected, actual) = (raise "expected #{expected.inspect}, got #{actual.inspect}" unless expected == actual)
  def assert_match(pattern, text) = (raise "#{pattern.inspect} not in #{text.inspect}" unless text.match?(pattern))

  def run_install = Dir.chdir(buildpath) { install }

  def run_test
    ENV["HOME"] = testpath.to_s
    Dir.chdir(testpath) { instance_eval(&self.class.test_block) }
  end
end

formula_file, buildpath, prefix, testpath, npm_cache = ARGV
load formula_file
klass = Object.const_get(File.basename(formula_file, ".rb").capitalize)
f = klass.new(prefix, buildpath, testpath, npm_cache)
f.run_install
puts "install: ok"
f.run_test
puts "test: ok"
