# Builds the frozen RSA Desktop bundle and installer for Windows, tests the bundle, and packs it.
# The same steps, in the same order, as installer/build_linux.sh (PyInstaller cannot cross-compile).
#
#   powershell -ExecutionPolicy Bypass -File installer\build_windows.ps1
#
# Needs: 64-bit Python 3.11 (py launcher or python on PATH), Inno Setup 6 (ISCC.exe; winget install
# JRSoftware.InnoSetup or choco install innosetup), and the package index once for the build environment.
#   1. build environment  build\venv: the pinned runtime (installer\requirements-lock.txt) + PyInstaller
#   2. generated inputs   installer\prepare_build.py: icon (.ico), version resource, resources\licenses\
#   3. freeze             PyInstaller with installer\rsa-desktop.spec -> dist\rsa-desktop\
#                         ("RSA Desktop.exe" windowed, "rsa-desktop.exe" console, one _internal\)
#   4. self-test          the bundle copied to a temporary folder, run with a minimal environment
#   5. GUI smoke start    rsa-desktop.exe --smoke-gui (QT_QPA_PLATFORM=offscreen)
#   6. pack               dist\RSA-Desktop-VERSION-setup.exe (Inno Setup), a zip of the bundle, SHA256SUMS
# Code signing (signtool with a timestamp) belongs after step 3 and step 6 where a certificate exists.
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..")
$Root = (Get-Location).Path
$Venv = Join-Path $Root "build\venv"
$Dist = Join-Path $Root "dist"
$T0 = Get-Date
function Step($text) { Write-Host ("`n== [{0:N0} s] {1}" -f ((Get-Date) - $T0).TotalSeconds, $text) }
function Check($what) { if ($LASTEXITCODE -ne 0) { throw "$what misslyckades (kod $LASTEXITCODE)" } }

Step "1/6 Byggmiljö ($Venv)"
$lockHash = (Get-FileHash -Algorithm SHA256 -InputStream ([IO.MemoryStream]::new([Text.Encoding]::UTF8.GetBytes(
    (Get-Content -Raw installer\requirements-lock.txt) + (Get-Content -Raw installer\requirements-build.txt))))).Hash.Substring(0, 16)
$Stamp = Join-Path $Venv ".installed-$lockHash"
if (-not (Test-Path $Stamp)) {
    if (Test-Path $Venv) { Remove-Item -Recurse -Force $Venv }
    if (Get-Command py -ErrorAction SilentlyContinue) { py -3.11 -m venv $Venv } else { python -m venv $Venv }
    Check "venv"
    & "$Venv\Scripts\python.exe" -m pip install --quiet --upgrade pip; Check "pip"
    & "$Venv\Scripts\python.exe" -m pip install --quiet -r installer\requirements-lock.txt -r installer\requirements-build.txt
    Check "pip install"
    New-Item -ItemType File $Stamp | Out-Null
}
$Py = "$Venv\Scripts\python.exe"
$Version = & $Py -c "import rsa_desktop; print(rsa_desktop.__version__)"
Check "version"
Write-Host "RSA Desktop $Version, $(& $Py --version), PyInstaller $(& $Py -m PyInstaller --version)"

Step "2/6 Genererade filer (ikon, versionsresurs, licenser)"
& $Py installer\prepare_build.py; Check "prepare_build"

Step "3/6 PyInstaller (onedir)"
$TFreeze = Get-Date
if (Test-Path "$Dist\rsa-desktop") { Remove-Item -Recurse -Force "$Dist\rsa-desktop" }
& $Py -m PyInstaller --noconfirm --clean --log-level WARN --distpath $Dist --workpath "$Root\build\pyinstaller" installer\rsa-desktop.spec
Check "PyInstaller"
$Bundle = "$Dist\rsa-desktop"
foreach ($exe in "rsa-desktop.exe", "RSA Desktop.exe") {
    if (-not (Test-Path "$Bundle\$exe")) { throw "PyInstaller skapade inte $Bundle\$exe" }
}
$SizeMB = [math]::Round(((Get-ChildItem -Recurse -File $Bundle | Measure-Object Length -Sum).Sum) / 1MB)
Write-Host "Paketet: $Bundle, $SizeMB MB (frysning $([math]::Round(((Get-Date) - $TFreeze).TotalSeconds)) s)"

# Test a copy outside the checkout, in a folder with a space, with PATH reduced to Windows itself and
# no Python variables: what a freshly installed laptop has.
$TestDir = Join-Path ([IO.Path]::GetTempPath()) ("rsa-frozen-" + [guid]::NewGuid().ToString("N").Substring(0, 8))
New-Item -ItemType Directory "$TestDir\home" | Out-Null
Copy-Item -Recurse $Bundle "$TestDir\RSA Desktop"
$SavedPath = $env:PATH
try {
    $env:PATH = "$env:SystemRoot\System32;$env:SystemRoot"
    foreach ($v in "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV") { Remove-Item "Env:$v" -ErrorAction SilentlyContinue }
    $env:RSA_DESKTOP_DATA = "$TestDir\home\data"
    Push-Location "$TestDir\home"

    Step "4/6 Självtest av det frysta programmet (i $TestDir\RSA Desktop)"
    & "$TestDir\RSA Desktop\rsa-desktop.exe" --selftest; Check "Självtestet"
    & "$TestDir\RSA Desktop\rsa-desktop.exe" --version; Check "--version"

    Step "5/6 GUI-röktest (offscreen)"
    $env:QT_QPA_PLATFORM = "offscreen"
    & "$TestDir\RSA Desktop\rsa-desktop.exe" --smoke-gui; Check "GUI-röktestet"
    Remove-Item Env:QT_QPA_PLATFORM
    # The same with the real "windows" platform plugin; only a warning, as a CI service session may
    # have no usable desktop (build_linux.sh does the same with xcb under xvfb).
    & "$TestDir\RSA Desktop\rsa-desktop.exe" --smoke-gui
    if ($LASTEXITCODE -ne 0) { Write-Warning "GUI-röktestet med plattformen windows misslyckades (kod $LASTEXITCODE)" }
} finally {
    Pop-Location
    $env:PATH = $SavedPath
    Remove-Item Env:RSA_DESKTOP_DATA -ErrorAction SilentlyContinue
    Remove-Item -Recurse -Force $TestDir -ErrorAction SilentlyContinue
}

Step "6/6 Paketering"
# UTF-8 without BOM (WriteAllLines), so `sha256sum -c` can check the sums on any system too.
$sums = Get-ChildItem -Recurse -File $Bundle | Where-Object Name -ne "SHA256SUMS" | Sort-Object FullName | ForEach-Object {
    "{0}  {1}" -f (Get-FileHash -Algorithm SHA256 $_.FullName).Hash.ToLower(), $_.FullName.Substring($Bundle.Length + 1).Replace("\", "/")
}
[IO.File]::WriteAllLines("$Bundle\SHA256SUMS", [string[]]$sums)
$Iscc = @("${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe", "$env:ProgramFiles\Inno Setup 6\ISCC.exe") |
    Where-Object { Test-Path $_ } | Select-Object -First 1
if (-not $Iscc) { $Iscc = (Get-Command ISCC.exe -ErrorAction Stop).Source }
& $Iscc /Q installer\rsa-desktop.iss; Check "Inno Setup"
$Setup = "RSA-Desktop-$Version-setup.exe"
$Zip = "rsa-desktop-$Version-windows-x64.zip"
Compress-Archive -Force -Path $Bundle -DestinationPath "$Dist\$Zip"
$sums = @($Setup, $Zip) | ForEach-Object { "{0}  {1}" -f (Get-FileHash -Algorithm SHA256 "$Dist\$_").Hash.ToLower(), $_ }
[IO.File]::WriteAllLines("$Dist\SHA256SUMS", [string[]]$sums)
Get-Content "$Dist\SHA256SUMS"
Write-Host ("`nKlart på {0:N0} s: paketet {1} MB, installationsprogrammet {2:N0} MB ({3})." -f `
    ((Get-Date) - $T0).TotalSeconds, $SizeMB, ((Get-Item "$Dist\$Setup").Length / 1MB), "$Dist\$Setup")
