<#
.SYNOPSIS
    Builds the signed per-machine MSI of Trellis: PyInstaller bundle, Authenticode
    signatures on every executable, WiX build, signed and verified MSI.

.DESCRIPTION
    Why this script exists: IT deploys Trellis with Intune or SCCM, which install
    an MSI silently as SYSTEM. Windows SmartScreen, AppLocker and WDAC trust
    signed code, so every executable in the bundle and the MSI itself carry the
    organisation's Authenticode signature with an RFC 3161 timestamp (the
    signature stays valid after the certificate expires).

    Run from any folder on a Windows x64 build machine that has:
      - Python 3.11 with requirements.lock, requirements-package.lock and the
        portable llama-cpp-python installed (see .github/workflows/installers.yml),
        and the default model in models\ (python -m app.llm.fetch --models-dir models);
      - WiX Toolset 5:  dotnet tool install --global wix --version 5.0.2
      - signtool.exe from the Windows SDK (found on PATH or in the SDK folder).

    The signing certificate is taken from the Windows certificate store by its
    SHA-1 thumbprint (-CertificateThumbprint, or TRELLIS_WINDOWS_CERT_THUMBPRINT):
    the current user's "My" store, or the machine's with -MachineStore. A key on
    a hardware token or in a cloud HSM works the same way once its certificate
    is in the store.

    Without a thumbprint the script stops, unless -Unsigned is given for a
    developer build, which it then says loudly.

    Signing from Linux or macOS instead of signtool: osslsigncode signs both PE
    files and MSIs, e.g.
      osslsigncode sign -pkcs12 org.pfx -readpass pass.txt -h sha256 `
          -ts http://timestamp.digicert.com -n Trellis `
          -in Trellis-0.1.0-x64.msi -out Trellis-0.1.0-x64.signed.msi
      osslsigncode verify -in Trellis-0.1.0-x64.signed.msi
    (-pkcs11engine/-pkcs11module/-key for a key on a token). See docs/it-deployment.md.

.EXAMPLE
    pwsh packaging\windows\build.ps1 -CertificateThumbprint 0123456789ABCDEF0123456789ABCDEF01234567

.EXAMPLE
    pwsh packaging\windows\build.ps1 -Unsigned      # developer build, not for deployment
#>
[CmdletBinding()]
param(
    [string] $CertificateThumbprint = $env:TRELLIS_WINDOWS_CERT_THUMBPRINT,
    [string] $TimestampUrl = $(if ($env:TRELLIS_TIMESTAMP_URL) { $env:TRELLIS_TIMESTAMP_URL } else { 'http://timestamp.digicert.com' }),
    [switch] $MachineStore,
    [switch] $Unsigned,
    [switch] $SkipBundle,
    [string] $Python = $(if ($env:TRELLIS_PYTHON) { $env:TRELLIS_PYTHON } else { 'python' })
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$Repo = (Resolve-Path (Join-Path $PSScriptRoot '..\..')).Path
$Dist = Join-Path $Repo 'dist'
$BundleDir = Join-Path $Dist 'trellis'
$Wxs = Join-Path $PSScriptRoot 'trellis.wxs'

function Invoke-Checked {
    # Runs a native command and stops the build when it fails.
    param([string] $Program, [string[]] $Arguments)
    & $Program @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$Program failed with exit code $LASTEXITCODE" }
}

function Get-TrellisVersion {
    # The version lives in pyproject.toml only; the MSI takes it from there.
    $code = "import tomllib; print(tomllib.load(open('pyproject.toml', 'rb'))['project']['version'])"
    Push-Location $Repo
    try { $version = (& $Python -c $code).Trim() } finally { Pop-Location }
    if ($version -notmatch '^\d+\.\d+\.\d+$') { throw "pyproject.toml version '$version' is not major.minor.patch, which an MSI needs" }
    return $version
}

function Find-SignTool {
    $onPath = Get-Command signtool.exe -ErrorAction SilentlyContinue
    if ($onPath) { return $onPath.Source }
    $kits = Join-Path ${env:ProgramFiles(x86)} 'Windows Kits\10\bin'
    $found = Get-ChildItem -Path $kits -Filter signtool.exe -Recurse -ErrorAction SilentlyContinue |
        Where-Object { $_.DirectoryName -like '*\x64' } | Sort-Object FullName -Descending | Select-Object -First 1
    if (-not $found) { throw 'signtool.exe not found: install the Windows SDK signing tools or put signtool on PATH' }
    return $found.FullName
}

function Build-Bundle {
    # The same spec and build script as the Linux bundle (make bundle): one
    # folder with trellis.exe and trellis-desktop.exe, its manifest and SBOM.
    Invoke-Checked $Python @((Join-Path $Repo 'packaging\bundle\build.py'))
    foreach ($exe in 'trellis.exe', 'trellis-desktop.exe') {
        if (-not (Test-Path (Join-Path $BundleDir $exe))) { throw "the bundle in $BundleDir has no $exe" }
    }
}

function Update-Manifest {
    # Signing changed the executables: record their signed hashes, so that
    # `trellis doctor` on an installed machine checks what was shipped.
    Invoke-Checked $Python @((Join-Path $Repo 'packaging\bundle\build.py'), '--skip-pyinstaller')
}

function Invoke-Sign {
    # Authenticode, SHA-256 file digest, RFC 3161 timestamp with a SHA-256 digest.
    param([string] $SignTool, [string[]] $Files, [string] $Description)
    $arguments = @('sign', '/sha1', $CertificateThumbprint, '/s', 'My', '/fd', 'SHA256',
                   '/tr', $TimestampUrl, '/td', 'SHA256', '/d', $Description)
    if ($MachineStore) { $arguments += '/sm' }
    # In batches: a bundle has hundreds of libraries, a command line 32k characters.
    for ($start = 0; $start -lt $Files.Count; $start += 50) {
        $batch = $Files[$start..([Math]::Min($start + 49, $Files.Count - 1))]
        Invoke-Checked $SignTool ($arguments + $batch)
    }
}

function Get-UnsignedBinaries {
    # Executables and libraries without a valid signature; files that their
    # vendor already signed (Qt, the Python runtime) keep that signature.
    Get-ChildItem -Path $BundleDir -Recurse -File -Include *.exe, *.dll, *.pyd |
        Where-Object { (Get-AuthenticodeSignature -FilePath $_.FullName).Status -ne 'Valid' } |
        ForEach-Object { $_.FullName }
}

function Build-Msi {
    param([string] $Version, [string] $Msi)
    Invoke-Checked 'wix' @('build', $Wxs, '-arch', 'x64', '-d', "Version=$Version",
                           '-bindpath', "Bundle=$BundleDir", '-o', $Msi)
}

function Get-MsiProperty {
    # Reads a property from the built MSI, e.g. the ProductCode IT needs for
    # `msiexec /x {ProductCode} /qn` and for an Intune detection rule.
    param([string] $Msi, [string] $Name)
    $installer = New-Object -ComObject WindowsInstaller.Installer
    $database = $installer.GetType().InvokeMember('OpenDatabase', 'InvokeMethod', $null, $installer, @($Msi, 0))
    $view = $database.GetType().InvokeMember('OpenView', 'InvokeMethod', $null, $database,
                                              @("SELECT Value FROM Property WHERE Property = '$Name'"))
    $view.GetType().InvokeMember('Execute', 'InvokeMethod', $null, $view, $null) | Out-Null
    $record = $view.GetType().InvokeMember('Fetch', 'InvokeMethod', $null, $view, $null)
    $value = $record.GetType().InvokeMember('StringData', 'GetProperty', $null, $record, @(1))
    $view.GetType().InvokeMember('Close', 'InvokeMethod', $null, $view, $null) | Out-Null
    return $value
}

function Write-Receipt {
    # What IT pastes into Intune/SCCM: product code, upgrade code, hash, commands.
    param([string] $Msi, [string] $Version)
    $productCode = Get-MsiProperty $Msi 'ProductCode'
    $upgradeCode = Get-MsiProperty $Msi 'UpgradeCode'
    $hash = (Get-FileHash -Algorithm SHA256 -Path $Msi).Hash.ToLowerInvariant()
    $name = Split-Path $Msi -Leaf
    $receipt = @(
        "file:          $name",
        "version:       $Version",
        "sha256:        $hash",
        "ProductCode:   $productCode",
        "UpgradeCode:   $upgradeCode",
        "install:       msiexec /i $name /qn /norestart /l*v trellis-install.log",
        "uninstall:     msiexec /x $productCode /qn /norestart /l*v trellis-uninstall.log"
    )
    $receipt | Set-Content -Path "$Msi.txt" -Encoding utf8
    $receipt | ForEach-Object { Write-Host $_ }
}

if (-not $CertificateThumbprint -and -not $Unsigned) {
    throw 'No signing certificate: pass -CertificateThumbprint (or set TRELLIS_WINDOWS_CERT_THUMBPRINT), or -Unsigned for a developer build.'
}

$version = Get-TrellisVersion
$msi = Join-Path $Dist "Trellis-$version-x64.msi"
if (-not $SkipBundle) { Build-Bundle }

if ($Unsigned) {
    Write-Warning '*** UNSIGNED DEVELOPER BUILD: do not deploy this MSI. Windows and IT tools will not trust it. ***'
    Build-Msi $version $msi
} else {
    $signTool = Find-SignTool
    $binaries = @(Get-UnsignedBinaries)
    Write-Host "Signing $($binaries.Count) executables and libraries in $BundleDir"
    if ($binaries.Count -gt 0) { Invoke-Sign $signTool $binaries 'Trellis' }
    Update-Manifest
    Build-Msi $version $msi
    Invoke-Sign $signTool @($msi) "Trellis $version"
    Invoke-Checked $signTool @('verify', '/pa', '/all', $msi, (Join-Path $BundleDir 'trellis.exe'),
                               (Join-Path $BundleDir 'trellis-desktop.exe'))
}
Write-Receipt $msi $version
